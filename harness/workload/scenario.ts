// The scenario model: a small declarative module per workload. `defineScenario` validates the
// definition once (zod) and freezes it; a bad definition fails with the scenario, the field and
// what was expected, and `loadScenarioFile` adds the file name.
import { pathToFileURL } from 'node:url';
import { z } from 'zod';
import { STORE_KINDS, type StoreKind } from '../provision/provisioner.ts';
import { moduleNamespace } from '../run/module-namespace.ts';
import { keyDistributionSchema, type KeyDistribution, type KeyDistributionInput } from './distributions.ts';
import type { Rng } from './random.ts';

/** Extra figures an operation reports besides its own latency (only kept during the measure phase). */
export interface Recorder {
  /** Add to a named counter (e.g. cacheHits). */
  count(name: string, by?: number): void;
  /** Record a value in microseconds into a named distribution (e.g. consistencyLag). */
  observe(name: string, valueUs: number): void;
  /**
   * An observation that did not end within `limitUs` (e.g. a probe that timed out): it enters the
   * distribution at the limit and is counted as censored, so it can never shorten a percentile.
   */
  censor(name: string, limitUs: number): void;
}

export interface OperationContext<Sut> {
  /** The profile's system under test. */
  readonly sut: Sut;
  /** This operation's own seeded stream: the same seed replays the same draws. */
  readonly rng: Rng;
  /** Key index chosen by the operation's distribution, in [0, keyCount). */
  readonly key: number;
  /** Keys that exist now: the loaded records plus inserts so far (in this stream's view). */
  readonly keyCount: number;
  /** Value size in bytes drawn from the operation's size spec. */
  readonly valueSize: number;
  readonly recorder: Recorder;
  /** Index of the stream (closed-loop worker, or open-loop shard) that issued this operation. */
  readonly stream: number;
  readonly signal: AbortSignal;
}

export interface LoadContext<Sut> {
  readonly sut: Sut;
  readonly rng: Rng;
  readonly records: number;
  /** Draw a value size from the scenario's data spec. */
  valueSize(rng: Rng): number;
  readonly signal: AbortSignal;
  log(line: string): void;
}

/** What `derive` sees: the measured counters and each operation's count and latency (µs). */
export interface DeriveInput {
  readonly counters: Readonly<Record<string, number>>;
  readonly operations: ReadonlyArray<{
    name: string;
    count: number;
    errors: number;
    p50Us: number;
    p99Us: number;
  }>;
  readonly durationMs: number;
}

const sizeSchema = z.union([
  z.number().int().min(0),
  z
    .object({ min: z.number().int().min(0), max: z.number().int().min(0) })
    .refine((s) => s.min <= s.max, { message: 'expected min ≤ max' }),
]);
export type SizeSpec = z.input<typeof sizeSchema>;

const fn = <T>(what: string) =>
  z.custom<T>((value) => typeof value === 'function', { message: `expected a function (${what})` });

const nameSchema = z.string().regex(/^[a-z][a-z0-9-]*$/, {
  message: 'expected a kebab-case name (a-z, 0-9, -), starting with a letter',
});

const operationSchema = z.object({
  name: nameSchema,
  /** Relative share of the mix. */
  weight: z.number().finite().positive(),
  keys: keyDistributionSchema.default({ type: 'uniform' }),
  /** Defaults to the scenario's data.valueSize. */
  valueSize: sizeSchema.optional(),
  /** The operation creates a new key (keyCount grows; `latest` favours it). */
  inserts: z.boolean().default(false),
  run: fn<(ctx: OperationContext<unknown>) => Promise<unknown>>('run(ctx) => Promise'),
});

const scenarioSchema = z
  .object({
    name: nameSchema,
    description: z.string().min(1),
    stores: z.array(z.enum(STORE_KINDS)).default([]),
    data: z.object({
      records: z.number().int().min(1),
      valueSize: sizeSchema.default(0),
      /** Mixed into the run seed for the load phase, so a scenario's data is fixed per run seed. */
      seed: z.number().int().min(0).default(0),
      /** The operations only read the loaded data, so `--reuse-data` may keep it for later runs. */
      readOnly: z.boolean().default(false),
    }),
    phases: z
      .object({
        load: z.boolean().default(true),
        warmupMs: z.number().int().min(0).default(1_000),
        measureMs: z.number().int().positive().default(10_000),
      })
      .default({ load: true, warmupMs: 1_000, measureMs: 10_000 }),
    operations: z
      .array(operationSchema)
      .min(1, { message: 'expected at least one operation' })
      .refine((ops) => new Set(ops.map((o) => o.name)).size === ops.length, {
        message: 'expected unique operation names',
      }),
    load: fn<(ctx: LoadContext<unknown>) => Promise<void>>('load(ctx) => Promise<void>').optional(),
    snapshot: fn<(sut: unknown) => Promise<Record<string, number>>>(
      'snapshot(sut) => Promise<counters>',
    ).optional(),
    derive: fn<(input: DeriveInput) => Record<string, number>>('derive(input) => metrics').optional(),
  })
  .strict();

export interface OperationInput<Sut> {
  name: string;
  weight: number;
  keys?: KeyDistributionInput;
  valueSize?: SizeSpec;
  inserts?: boolean;
  run(ctx: OperationContext<Sut>): Promise<unknown>;
}

export interface ScenarioInput<Sut> {
  name: string;
  description: string;
  /** Stores the scenario needs; the runner skips it with the reason when one is missing. */
  stores?: StoreKind[];
  /** The data loaded before warmup. */
  data: { records: number; valueSize?: SizeSpec; seed?: number; readOnly?: boolean };
  /** Defaults for the run; a run's durations override them. */
  phases?: { load?: boolean; warmupMs?: number; measureMs?: number };
  operations: OperationInput<Sut>[];
  load?(ctx: LoadContext<Sut>): Promise<void>;
  /** Counters read from the stores before and after the measure phase; their deltas are recorded (e.g. Redis keyspace_hits). */
  snapshot?(sut: Sut): Promise<Record<string, number>>;
  /** Derived scalar metrics (e.g. cacheHitRatio) computed from the measured counters. */
  derive?(input: DeriveInput): Record<string, number>;
}

export interface Operation<Sut> {
  readonly name: string;
  readonly weight: number;
  readonly keys: KeyDistribution;
  readonly valueSize: SizeSpec;
  readonly inserts: boolean;
  run(ctx: OperationContext<Sut>): Promise<unknown>;
}

export interface Scenario<Sut> {
  readonly kind: typeof SCENARIO_KIND;
  readonly name: string;
  readonly description: string;
  readonly stores: readonly StoreKind[];
  readonly data: {
    readonly records: number;
    readonly valueSize: SizeSpec;
    readonly seed: number;
    readonly readOnly: boolean;
  };
  readonly phases: { readonly load: boolean; readonly warmupMs: number; readonly measureMs: number };
  readonly operations: readonly Operation<Sut>[];
  load?(ctx: LoadContext<Sut>): Promise<void>;
  snapshot?(sut: Sut): Promise<Record<string, number>>;
  derive?(input: DeriveInput): Record<string, number>;
}

const SCENARIO_KIND = 'dalbench-scenario' as const;

export class ScenarioDefinitionError extends Error {
  override name = 'ScenarioDefinitionError';
  constructor(
    message: string,
    readonly scenario: string | undefined,
    readonly file: string | undefined,
    options: { cause?: unknown } = {},
  ) {
    super(message, options);
  }
}

export function defineScenario<Sut>(input: ScenarioInput<Sut>): Scenario<Sut> {
  const parsed = scenarioSchema.safeParse(input);
  const label =
    typeof (input as { name?: unknown } | null)?.name === 'string'
      ? (input as { name: string }).name
      : undefined;
  if (!parsed.success) {
    const issues = parsed.error.issues
      .map((issue) => `${formatPath(issue.path)}: ${issue.message}`)
      .join('; ');
    throw new ScenarioDefinitionError(
      `scenario ${label ? `"${label}"` : '(unnamed)'}: ${issues}`,
      label,
      undefined,
      {
        cause: parsed.error,
      },
    );
  }
  const value = parsed.data;
  const operations = value.operations.map((op) =>
    Object.freeze({ ...op, valueSize: op.valueSize ?? value.data.valueSize }),
  ) as unknown as Operation<Sut>[];
  return Object.freeze({
    ...value,
    kind: SCENARIO_KIND,
    operations: Object.freeze(operations),
  });
}

export function isScenario(value: unknown): value is Scenario<unknown> {
  return typeof value === 'object' && value !== null && (value as { kind?: unknown }).kind === SCENARIO_KIND;
}

/** Import a scenario module (default export, or `scenario`); errors name the file. */
export async function loadScenarioFile(file: string): Promise<Scenario<unknown>> {
  let mod: Record<string, unknown>;
  try {
    mod = (await import(pathToFileURL(file).href)) as Record<string, unknown>;
  } catch (error) {
    if (error instanceof ScenarioDefinitionError) {
      throw new ScenarioDefinitionError(`${file}: ${error.message}`, error.scenario, file, { cause: error });
    }
    throw new ScenarioDefinitionError(`${file}: could not load the scenario module`, undefined, file, {
      cause: error,
    });
  }
  const exports = moduleNamespace(mod);
  const candidate = exports['default'] ?? exports['scenario'];
  if (!isScenario(candidate)) {
    throw new ScenarioDefinitionError(
      `${file}: expected a default export made by defineScenario({...})`,
      undefined,
      file,
    );
  }
  return candidate;
}

/** Draw a size from a spec: a fixed number, or uniform in [min, max]. */
export function drawSize(spec: SizeSpec, rng: Rng): number {
  return typeof spec === 'number' ? spec : rng.between(spec.min, spec.max);
}

export function formatPath(path: readonly PropertyKey[]): string {
  let out = '';
  for (const part of path) {
    out += typeof part === 'number' ? `[${part}]` : `${out ? '.' : ''}${String(part)}`;
  }
  return out || '(root)';
}

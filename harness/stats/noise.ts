// noise.json: each metric's run-to-run spread on this machine, from an A/A set (the same config run
// N times), and which spread that is: repeats within one invocation, or separate invocations. compare
// builds its verdict on it (a comparison of two result files faces the spread between invocations,
// which repeats inside one invocation understate); metrics whose total spread is above `maxCv` are
// listed as too noisy to gate on. Spreads are variance components on the log scale (spread.ts).
import { readFile } from 'node:fs/promises';
import { mean, sampleStandardDeviation } from 'simple-statistics';
import { z } from 'zod';
import type { Results } from '../results/schema.ts';
import { InputError } from '../results/input-error.ts';
import { operationSamples, scalarSamples, OPERATION_METRICS, type Driver } from './samples.ts';
import { estimateSpread, type CalibratedSpread, type RunValue, type SpreadKind } from './spread.ts';
import { withinRunSpread } from './within-run.ts';

export const NOISE_SCHEMA_VERSION = 1;

const varianceTermSchema = z.object({
  variance: z.number().min(0),
  df: z.number().positive(),
  uncertainty: z.number().min(0).optional(),
});

export const noiseEntrySchema = z.object({
  scenario: z.string(),
  profile: z.string(),
  /** Absent in files written before drivers were keyed: dal. */
  driver: z.enum(['dal', 'http']).optional(),
  /** `<operation>.<throughput|p50|p95|p99|p999>` or a scalar metric/counter name. */
  metric: z.string(),
  /** Samples pooled (repeats × files). */
  runs: z.number().int().min(2),
  mean: z.number(),
  /** Total run-to-run coefficient of variation, every sample pooled. */
  cv: z.number().min(0),
  tooNoisy: z.boolean(),
  /** Invocations (distinct run ids) the samples came from. */
  invocations: z.number().int().min(1).optional(),
  /** Log-scale variance of one run around its invocation's mean, beyond its within-run interval when `sampling` is set. */
  repeat: varianceTermSchema.optional(),
  /** Log-scale variance of the invocation effect (includes the repeat spread when `repeat` is absent). */
  between: varianceTermSchema.optional(),
  /** Mean within-run variance (log scale) of the calibration runs, when every run had per-second windows. */
  sampling: z.number().min(0).optional(),
});
export type NoiseEntry = z.infer<typeof noiseEntrySchema>;

export const noiseSchema = z.object({
  kind: z.literal('dalbench-noise'),
  schemaVersion: z.literal(NOISE_SCHEMA_VERSION),
  createdAt: z.string(),
  runs: z.array(z.string()),
  maxCv: z.number().positive(),
  /**
   * What the spread was measured across: repeats within one invocation (one set of stores, one
   * process), or separate invocations. Absent in older files, which compare then cannot use across invocations.
   */
  spread: z.enum(['within-invocation', 'between-invocations']).optional(),
  /** How the runs were made, in words (e.g. "5 separate `dalbench run` processes, fresh stores"). */
  method: z.string().optional(),
  entries: z.array(noiseEntrySchema),
});
export type NoiseFile = z.infer<typeof noiseSchema>;

export interface CalibrateOptions {
  /** Above this CV a metric is listed as too noisy to gate on (default 0.15). */
  maxCv?: number;
  now?: Date;
  /** What the runs were: default separate invocations when their run ids differ, else within one. */
  spread?: SpreadKind;
  method?: string;
  /** Seed of the within-run block bootstraps. */
  seed?: number;
}

interface Collected {
  scenario: string;
  profile: string;
  driver: Driver;
  metric: string;
  values: number[];
  invocations: Map<string, { id: string; runs: RunValue[] }>;
}

/**
 * Every repeat of every run file, grouped by invocation (run id): the CV pools them all (one sample's
 * total spread, what `tooNoisy` judges), and the variance components separate the repeat spread from
 * the spread between invocations for compare.
 */
export function calibrateNoise(
  runs: readonly { path: string; results: Results }[],
  options: CalibrateOptions = {},
): NoiseFile {
  const ids = new Set(runs.map((r) => r.results.run.id));
  const maxCv = options.maxCv ?? 0.15;
  const spread: SpreadKind = options.spread ?? (ids.size >= 2 ? 'between-invocations' : 'within-invocation');
  const seed = options.seed ?? 1;
  const perKey = new Map<string, Collected>();
  const add = (
    scenario: string,
    profile: string,
    driver: Driver,
    metric: string,
    runId: string,
    values: readonly RunValue[],
  ) => {
    if (values.length === 0) return;
    const key = `${scenario}\u0000${profile}\u0000${driver}\u0000${metric}`;
    const entry: Collected = perKey.get(key) ?? {
      scenario,
      profile,
      driver,
      metric,
      values: [],
      invocations: new Map(),
    };
    entry.values.push(...values.map((v) => v.value));
    const invocation = entry.invocations.get(runId) ?? { id: runId, runs: [] };
    invocation.runs.push(...values);
    entry.invocations.set(runId, invocation);
    perKey.set(key, entry);
  };
  let bootstrapSeed = seed;
  for (const { results } of runs) {
    for (const op of operationSamples(results).values()) {
      for (const metric of OPERATION_METRICS) {
        const values = op.values[metric].map((value, i) => {
          const within = withinRunSpread(op.repeats[i]!, metric, bootstrapSeed++);
          return 'spread' in within ? { value, within: within.spread } : { value };
        });
        add(op.scenario, op.profile, op.driver, `${op.operation}.${metric}`, results.run.id, values);
      }
    }
    for (const scalar of scalarSamples(results).values())
      add(
        scalar.scenario,
        scalar.profile,
        scalar.driver,
        scalar.name,
        results.run.id,
        scalar.values.map((value) => ({ value })),
      );
  }
  const entries: NoiseEntry[] = [];
  for (const e of perKey.values()) {
    if (e.values.length < 2) continue;
    const m = mean(e.values);
    const sd = sampleStandardDeviation(e.values);
    const cv = m === 0 ? (sd === 0 ? 0 : Number.POSITIVE_INFINITY) : Math.abs(sd / m);
    const components = estimateSpread([...e.invocations.values()], spread);
    entries.push({
      scenario: e.scenario,
      profile: e.profile,
      driver: e.driver,
      metric: e.metric,
      runs: e.values.length,
      mean: m,
      cv: Number.isFinite(cv) ? cv : 1e9,
      tooNoisy: !(cv <= maxCv),
      invocations: e.invocations.size,
      ...(components.repeat ? { repeat: components.repeat } : {}),
      ...(components.between ? { between: components.between } : {}),
      ...(components.sampling === undefined ? {} : { sampling: components.sampling }),
    });
  }
  if (entries.length === 0)
    throw new RangeError(
      `calibrate: need at least 2 result files of the same configuration (or one with --repeat ≥ 2), got ${runs.length} file(s) with one sample per metric`,
    );
  entries.sort((a, b) =>
    `${a.scenario}/${a.profile}/${a.driver}/${a.metric}`.localeCompare(
      `${b.scenario}/${b.profile}/${b.driver}/${b.metric}`,
    ),
  );
  return {
    kind: 'dalbench-noise',
    schemaVersion: NOISE_SCHEMA_VERSION,
    createdAt: (options.now ?? new Date()).toISOString(),
    runs: runs.map((r) => r.results.run.id),
    maxCv,
    spread,
    ...(options.method ? { method: options.method } : {}),
    entries,
  };
}

/** The variance components compare uses, or undefined for a file that predates them. */
export function calibratedSpreadOf(
  noise: NoiseFile,
  entry: NoiseEntry | undefined,
): CalibratedSpread | undefined {
  if (!entry || !noise.spread || entry.invocations === undefined) return undefined;
  return {
    kind: noise.spread,
    invocations: entry.invocations,
    runs: entry.runs,
    ...(entry.repeat ? { repeat: entry.repeat } : {}),
    ...(entry.between ? { between: entry.between } : {}),
    ...(entry.sampling === undefined ? {} : { sampling: entry.sampling }),
  };
}

/** Entry by scenario × profile × metric × driver (dal when not given, as in files without drivers). */
export function noiseLookup(
  noise: NoiseFile | undefined,
): (scenario: string, profile: string, metric: string, driver?: Driver) => NoiseEntry | undefined {
  const key = (scenario: string, profile: string, metric: string, driver: Driver) =>
    `${scenario}\u0000${profile}\u0000${driver}\u0000${metric}`;
  const map = new Map(
    (noise?.entries ?? []).map((e) => [key(e.scenario, e.profile, e.metric, e.driver ?? 'dal'), e]),
  );
  return (scenario, profile, metric, driver = 'dal') => map.get(key(scenario, profile, metric, driver));
}

export async function loadNoise(path: string): Promise<NoiseFile> {
  let raw: unknown;
  try {
    raw = JSON.parse(await readFile(path, 'utf8'));
  } catch (error) {
    throw new InputError(path, `cannot read noise file: ${(error as Error).message}`, { cause: error });
  }
  const parsed = noiseSchema.safeParse(raw);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new InputError(
      path,
      `not a dalbench noise file: ${issue?.path.join('.') || '(root)'}: ${issue?.message}`,
      {
        cause: parsed.error,
      },
    );
  }
  return parsed.data;
}

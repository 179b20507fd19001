// A fault plan: what goes wrong, on which store, when and for how long. Declarative (a .json/.yaml file
// or a TS module's default export), validated once at the edge into frozen plain steps in milliseconds;
// an invalid plan names its source, the step index and the field. Running it is run-plan.ts's job.
import { readFile } from 'node:fs/promises';
import { extname, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { parse as parseYaml } from 'yaml';
import { z } from 'zod';
import { InputError } from '../results/input-error.ts';
import { STORE_KINDS, type StoreKind } from '../provision/provisioner.ts';
import { moduleNamespace } from '../run/module-namespace.ts';

/** Process faults (need a store this run started itself) and faults through the TCP proxy in front of a store. */
export const PROCESS_ACTIONS = ['kill', 'pause'] as const;
export const PROXY_ACTIONS = ['cut', 'delay', 'drop', 'throttle'] as const;
export const FAULT_ACTIONS = [...PROCESS_ACTIONS, ...PROXY_ACTIONS] as const;
export type FaultAction = (typeof FAULT_ACTIONS)[number];

export class FaultPlanError extends InputError {
  override name = 'FaultPlanError';
}

const DURATION = /^(\d+(?:\.\d+)?)(ms|s|m)$/;
const UNIT_MS = { ms: 1, s: 1_000, m: 60_000 } as const;

/** '5s', '300ms', '1.5m' or a number of milliseconds → milliseconds. */
const duration = (min: number) =>
  z.union([z.number(), z.string()]).transform((value, ctx) => {
    let ms: number;
    if (typeof value === 'number') ms = value;
    else {
      const match = DURATION.exec(value.trim());
      if (!match) {
        ctx.addIssue({
          code: 'custom',
          message: `expected a duration like "5s", "300ms" or "1m" (or a number of ms), got "${value}"`,
        });
        return z.NEVER;
      }
      ms = Number(match[1]) * UNIT_MS[match[2] as keyof typeof UNIT_MS];
    }
    if (!Number.isFinite(ms) || ms < min || ms > 3_600_000) {
      ctx.addIssue({
        code: 'custom',
        message: `must be between ${min} ms and 1 h, got ${JSON.stringify(value)}`,
      });
      return z.NEVER;
    }
    return Math.round(ms);
  });

const at = z.union([duration(0), z.object({ afterOps: z.number().int().min(0).max(1e9) }).strict()]);
const base = { at, store: z.enum(STORE_KINDS) };
const lasting = duration(1);

const stepSchema = z.discriminatedUnion('action', [
  // kill: SIGKILL; restarted on the same port and data after `restartAfter` (left down when absent).
  z.object({ ...base, action: z.literal('kill'), restartAfter: lasting.optional() }).strict(),
  z.object({ ...base, action: z.literal('pause'), for: lasting }).strict(),
  z.object({ ...base, action: z.literal('cut'), for: lasting }).strict(),
  // drop without `for`: one reset of the connections in flight; with it, also of every new one until then.
  z.object({ ...base, action: z.literal('drop'), for: lasting.optional() }).strict(),
  z
    .object({
      ...base,
      action: z.literal('delay'),
      for: lasting,
      delayMs: z.number().int().min(0).max(60_000),
      jitterMs: z.number().int().min(0).max(60_000).default(0),
    })
    .strict(),
  z
    .object({
      ...base,
      action: z.literal('throttle'),
      for: lasting,
      bytesPerSecond: z
        .number()
        .int()
        .min(1)
        .max(10 * 2 ** 30),
    })
    .strict(),
]);

const planSchema = z.union([
  z.array(stepSchema).min(1),
  z.object({ name: z.string().min(1).optional(), steps: z.array(stepSchema).min(1) }).strict(),
]);

export type FaultStart = { readonly atMs: number } | { readonly afterOps: number };

interface StepBase {
  readonly index: number;
  readonly start: FaultStart;
  readonly store: StoreKind;
}
export type FaultStep = StepBase &
  (
    | { readonly action: 'kill'; readonly restartAfterMs: number | undefined }
    | { readonly action: 'pause' | 'cut'; readonly forMs: number }
    | { readonly action: 'drop'; readonly forMs: number | undefined }
    | {
        readonly action: 'delay';
        readonly forMs: number;
        readonly delayMs: number;
        readonly jitterMs: number;
      }
    | { readonly action: 'throttle'; readonly forMs: number; readonly bytesPerSecond: number }
  );

export interface FaultPlan {
  readonly name: string;
  /** Where it came from (a file, or 'inline'), for messages. */
  readonly source: string;
  readonly steps: readonly FaultStep[];
}

/** The input form of a plan, for authors of .ts plans (`export default defineFaultPlan({...})`). */
export type FaultPlanInput = z.input<typeof planSchema>;

function fieldOf(path: readonly PropertyKey[]): string {
  return path
    .map((p) => (typeof p === 'number' ? `[${p}]` : `.${String(p)}`))
    .join('')
    .replace(/^\./, '');
}

/** Validate raw plan data; every error names `source`, the step (steps[i]) and the field. */
export function parseFaultPlan(raw: unknown, source = 'inline'): FaultPlan {
  const parsed = planSchema.safeParse(raw);
  if (!parsed.success) {
    // A union's issues: report the branch that got furthest (the one the author meant).
    const issue = innermost(parsed.error.issues[0]!, Array.isArray(raw));
    const path = Array.isArray(raw) ? ['steps', ...issue.path] : issue.path;
    const field = fieldOf(path);
    throw new FaultPlanError(source, `${field || 'plan'}: ${issue.message}`, { cause: parsed.error });
  }
  const data = parsed.data;
  const steps = Array.isArray(data) ? data : data.steps;
  const name = Array.isArray(data) ? source : (data.name ?? source);
  return Object.freeze({
    name,
    source,
    steps: Object.freeze(steps.map((step, index) => Object.freeze(resolveStep(step, index)))),
  });
}

function resolveStep(step: z.output<typeof stepSchema>, index: number): FaultStep {
  const start: FaultStart = typeof step.at === 'number' ? { atMs: step.at } : { afterOps: step.at.afterOps };
  const common = { index, start, store: step.store };
  switch (step.action) {
    case 'kill':
      return { ...common, action: 'kill', restartAfterMs: step.restartAfter };
    case 'pause':
    case 'cut':
      return { ...common, action: step.action, forMs: step.for };
    case 'drop':
      return { ...common, action: 'drop', forMs: step.for };
    case 'delay':
      return { ...common, action: 'delay', forMs: step.for, delayMs: step.delayMs, jitterMs: step.jitterMs };
    case 'throttle':
      return { ...common, action: 'throttle', forMs: step.for, bytesPerSecond: step.bytesPerSecond };
  }
}

/**
 * Zod reports a union that matched no branch as one `invalid_union` issue: descend into the branch
 * with the fewest issues (for a step: the branch of its own `action`), so the field is named.
 */
function innermost(issue: z.core.$ZodIssue, bareArray: boolean): z.core.$ZodIssue {
  if (issue.code !== 'invalid_union' || issue.errors.length === 0) return issue;
  // The top-level union (bare array | { steps }): take the branch that matches the input's shape.
  const branches = issue.path.length === 0 ? [issue.errors[bareArray ? 0 : 1]!] : issue.errors;
  const closest = [...branches].sort((a, b) => a.length - b.length)[0];
  const inner = closest?.[0];
  return inner ? innermost({ ...inner, path: [...issue.path, ...inner.path] }, bareArray) : issue;
}

/** For a plan module: `export default defineFaultPlan({ steps: [...] })` validates where it is written. */
export function defineFaultPlan(input: FaultPlanInput, source = 'defineFaultPlan'): FaultPlan {
  return parseFaultPlan(input, source);
}

/** A plan from a .json/.yaml/.yml file or a .ts/.js/.mjs module's default export (or `plan` export). */
export async function loadFaultPlan(file: string): Promise<FaultPlan> {
  const path = resolve(file);
  const ext = extname(path).toLowerCase();
  if (ext === '.ts' || ext === '.js' || ext === '.mjs') {
    let module: Record<string, unknown>;
    try {
      module = (await import(pathToFileURL(path).href)) as Record<string, unknown>;
    } catch (error) {
      throw new FaultPlanError(file, `cannot load fault plan module: ${(error as Error).message}`, {
        cause: error,
      });
    }
    const exports = moduleNamespace(module);
    const raw = exports['default'] ?? exports['plan'];
    if (raw === undefined) throw new FaultPlanError(file, 'fault plan module has no default export');
    // A plan already resolved by defineFaultPlan is re-validated from its input form only if it is raw.
    if (isResolved(raw)) return Object.freeze({ ...raw, source: file });
    return parseFaultPlan(raw, file);
  }
  if (ext !== '.json' && ext !== '.yaml' && ext !== '.yml')
    throw new FaultPlanError(file, 'unknown fault plan file: expected .json, .yaml, .yml, .ts, .js or .mjs');
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (error) {
    throw new FaultPlanError(file, `cannot read fault plan: ${(error as Error).message}`, { cause: error });
  }
  return parseFaultPlanText(text, file);
}

/** JSON is YAML: one parser for both. */
export function parseFaultPlanText(text: string, source: string): FaultPlan {
  let raw: unknown;
  try {
    raw = parseYaml(text, { prettyErrors: false });
  } catch (error) {
    throw new FaultPlanError(source, `syntax error: ${(error as Error).message.split('\n')[0]}`, {
      cause: error,
    });
  }
  return parseFaultPlan(raw, source);
}

function isResolved(value: unknown): value is FaultPlan {
  if (typeof value !== 'object' || value === null) return false;
  const steps = (value as { steps?: unknown }).steps;
  return Array.isArray(steps) && steps.every((s) => typeof s === 'object' && s !== null && 'start' in s);
}

/** Process faults need the store's process: only stores this run started (local mode). */
export function isProcessAction(action: FaultAction): action is (typeof PROCESS_ACTIONS)[number] {
  return (PROCESS_ACTIONS as readonly string[]).includes(action);
}

/** One line per step, for logs and reports ("#0 at 5000 ms: kill redis, restart after 2000 ms"). */
export function describeStep(step: FaultStep): string {
  const when = 'atMs' in step.start ? `at ${step.start.atMs} ms` : `after ${step.start.afterOps} ops`;
  const what = (() => {
    switch (step.action) {
      case 'kill':
        return step.restartAfterMs === undefined ? 'left down' : `restart after ${step.restartAfterMs} ms`;
      case 'drop':
        return step.forMs === undefined ? 'once' : `for ${step.forMs} ms`;
      case 'delay':
        return `+${step.delayMs}±${step.jitterMs} ms for ${step.forMs} ms`;
      case 'throttle':
        return `${step.bytesPerSecond} B/s for ${step.forMs} ms`;
      default:
        return `for ${step.forMs} ms`;
    }
  })();
  return `#${step.index} ${when}: ${step.action} ${step.store}, ${what}`;
}

// One cell of the fault matrix: a closed-loop mixed workload against a built system, with one fault
// step applied by runFaultPlan. Every operation is classified by when it ran (before the fault; during
// it: in flight when it began, or started before the store was back; after it) and by whether it needs a failed store; the cell
// reports the ADR's isolation rate (successes of operations that do not need the failed store, during
// the fault), errors by class, recovery time, p99 per phase, and integrity once the outbox drained.
import type { StoreKind } from '../provision/provisioner.ts';
import { errorClassName } from '../metrics/operation-stats.ts';
import { Rng } from '../workload/random.ts';
import type { SystemUnderTest } from '../../reference-dal/profiles/system-under-test.ts';
import { StoreError } from '../../reference-dal/errors.ts';
import type { FaultTargets } from './inject.ts';
import { describeStep, type FaultStep } from './plan.ts';
import { runFaultPlan } from './run-plan.ts';
import { Acknowledged, checkIntegrity, type FaultOperation, type Integrity } from './fault-workload.ts';

export type Phase = 'before' | 'during' | 'after';

export interface CellOptions {
  readonly sut: SystemUnderTest;
  readonly operations: readonly FaultOperation[];
  readonly step: FaultStep;
  readonly targets: FaultTargets;
  /** Servers down while the step acts (a kill of postgres takes timescaledb with it in local mode). */
  readonly failed: readonly StoreKind[];
  /** Workload length; extended past a slow recovery until `afterMs` after the store is back. */
  readonly durationMs: number;
  readonly afterMs?: number;
  /** Bound on the whole cell, recovery included. */
  readonly maxMs?: number;
  readonly workers?: number;
  /** Per-operation deadline: an answer later than this is an error (ADR-024: sub-second). */
  readonly deadlineMs?: number;
  readonly seed: number;
  readonly log?: (line: string) => void;
  /** Preloaded data are in place already; the acknowledged writes are recorded here. */
  readonly acked?: Acknowledged;
}

export interface PhaseStats {
  readonly ok: number;
  readonly errors: number;
  readonly p99Ms: number | undefined;
  readonly errorClasses: Readonly<Record<string, number>>;
}

export interface CellResult extends Integrity {
  readonly step: string;
  readonly failed: readonly StoreKind[];
  /** Of the operations that do not need a failed store. */
  readonly isolated: Readonly<Record<Phase, PhaseStats>>;
  /** Of the operations that need a failed store. */
  readonly dependent: Readonly<Record<Phase, PhaseStats>>;
  /** ok / (ok + errors) of isolated operations during the fault; undefined when none ran. */
  readonly isolationRate: number | undefined;
  /**
   * ms from the store being back to the first success of an operation needing it (for the cache: to
   * its first hit); undefined when there was none.
   */
  readonly recoveryMs: number | undefined;
  /** How long the fault held (ms from in place to store back). */
  readonly faultMs: number | undefined;
  readonly faultError?: string;
  readonly operations: number;
}

class DeadlineExceededError extends Error {
  override name = 'DeadlineExceededError';
}

function classOf(error: unknown): string {
  const name = errorClassName(error);
  return error instanceof StoreError ? `${name}(${error.store})` : name;
}

async function withDeadline(work: Promise<void>, ms: number, what: string): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  // The abandoned call still settles later (its client may retry): keep its rejection handled.
  work.catch(() => undefined);
  try {
    await Promise.race([
      work,
      new Promise<never>((_, reject) => {
        timer = setTimeout(() => reject(new DeadlineExceededError(`${what}: no answer within ${ms} ms`)), ms);
      }),
    ]);
  } finally {
    clearTimeout(timer);
  }
}

interface Sample {
  readonly op: FaultOperation;
  readonly start: number;
  readonly end: number;
  readonly error?: string;
}

function p99(values: number[]): number | undefined {
  if (values.length === 0) return undefined;
  values.sort((a, b) => a - b);
  return values[Math.min(values.length - 1, Math.ceil(values.length * 0.99) - 1)];
}

function stats(samples: readonly Sample[]): PhaseStats {
  const errorClasses: Record<string, number> = {};
  let ok = 0;
  const latencies: number[] = [];
  for (const s of samples) {
    if (s.error === undefined) {
      ok++;
      latencies.push(s.end - s.start);
    } else errorClasses[s.error] = (errorClasses[s.error] ?? 0) + 1;
  }
  return { ok, errors: samples.length - ok, p99Ms: p99(latencies), errorClasses };
}

export async function runFaultCell(options: CellOptions): Promise<CellResult> {
  const { sut, operations, step, failed } = options;
  const log = options.log ?? (() => undefined);
  const deadlineMs = options.deadlineMs ?? 1_000;
  const afterMs = options.afterMs ?? 4_000;
  const maxMs = options.maxMs ?? 180_000;
  const acked = options.acked ?? new Acknowledged();
  const totalWeight = operations.reduce((sum, op) => sum + op.weight, 0);
  if (operations.length === 0 || totalWeight <= 0) throw new Error('fault cell: no operations to run');
  const samples: Sample[] = [];
  const began = performance.now();
  let stop = false;

  const plan = { name: describeStep(step), source: 'fault matrix', steps: [step] };
  await using running = runFaultPlan(plan, options.targets, { opsDone: () => samples.length, log });
  const worker = async (index: number) => {
    const rng = new Rng(options.seed * 31 + index);
    while (!stop) {
      let roll = rng.next() * totalWeight;
      const op = operations.find((candidate) => (roll -= candidate.weight) < 0) ?? operations[0]!;
      const start = performance.now();
      try {
        await withDeadline(op.run({ sut, rng, acked }), deadlineMs, op.name);
        samples.push({ op, start, end: performance.now() });
      } catch (error) {
        samples.push({ op, start, end: performance.now(), error: classOf(error) });
        // A failing store answers at once: do not spin on it faster than a client would.
        await new Promise((resolve) => setTimeout(resolve, 5));
      }
    }
  };
  const workers = Array.from({ length: options.workers ?? 4 }, (_, i) => worker(i));
  // A cache fault has no operation that needs the cache (reads fall through): it has recovered when
  // the cache answers hits again, so its hit count is sampled.
  const cacheHits: { at: number; hits: number }[] = [];
  const sampler = failed.includes('redis')
    ? setInterval(() => {
        const counters = sut.cacheCounters();
        if (counters) cacheHits.push({ at: performance.now(), hits: counters.hits });
      }, 25)
    : undefined;
  // Run for the duration, and on past a slow recovery until `afterMs` after the store is back.
  await new Promise((resolve) => setTimeout(resolve, options.durationMs));
  let bound: NodeJS.Timeout | undefined;
  const over = await Promise.race([
    running.done.then(() => 'done' as const),
    new Promise<'bound'>((resolve) => {
      bound = setTimeout(() => resolve('bound'), Math.max(0, began + maxMs - performance.now()));
    }),
  ]);
  clearTimeout(bound);
  if (over === 'bound') log(`fault cell ${plan.name}: not over within ${maxMs} ms`);
  const event = running.events()[0];
  const endedAt = event?.endedMs === undefined ? undefined : began + event.endedMs;
  if (endedAt !== undefined) {
    const wait = endedAt + afterMs - performance.now();
    if (wait > 0) await new Promise((resolve) => setTimeout(resolve, wait));
  }
  stop = true;
  clearInterval(sampler);
  await Promise.all(workers);
  await running.stop();

  const startedAt = event && Number.isFinite(event.startedMs) ? began + event.startedMs : undefined;
  // An operation in flight when the fault began belongs to it (it met the fault), as does every one
  // started before the store was back.
  const phaseOf = (sample: Sample): Phase => {
    if (startedAt === undefined || sample.end < startedAt) return 'before';
    if (endedAt === undefined || sample.start < endedAt) return 'during';
    return 'after';
  };
  const failedSet = new Set(failed);
  const needsFailed = (op: FaultOperation) => op.needs.some((kind) => failedSet.has(kind));
  const group = (dependent: boolean) =>
    Object.fromEntries(
      (['before', 'during', 'after'] as const).map((phase) => [
        phase,
        stats(samples.filter((s) => needsFailed(s.op) === dependent && phaseOf(s) === phase)),
      ]),
    ) as Record<Phase, PhaseStats>;
  const isolated = group(false);
  const dependent = group(true);
  const duringIsolated = isolated.during.ok + isolated.during.errors;
  const firstBack =
    endedAt === undefined
      ? undefined
      : samples
          .filter((s) => s.error === undefined && needsFailed(s.op) && s.start >= endedAt)
          .reduce<number | undefined>(
            (first, s) => (first === undefined || s.end < first ? s.end : first),
            undefined,
          );

  let recoveredAt = firstBack;
  if (recoveredAt === undefined && endedAt !== undefined && cacheHits.length > 0) {
    const atEnd = [...cacheHits].reverse().find((c) => c.at <= endedAt)?.hits ?? 0;
    recoveredAt = cacheHits.find((c) => c.at >= endedAt && c.hits > atEnd)?.at;
  }
  const integrity = await checkIntegrity(sut, acked);
  return {
    step: plan.name,
    failed,
    isolated,
    dependent,
    isolationRate: duringIsolated > 0 ? isolated.during.ok / duringIsolated : undefined,
    recoveryMs: recoveredAt === undefined || endedAt === undefined ? undefined : recoveredAt - endedAt,
    faultMs: startedAt !== undefined && endedAt !== undefined ? endedAt - startedAt : undefined,
    ...integrity,
    ...(event?.error ? { faultError: event.error } : {}),
    operations: samples.length,
  };
}

// Runs one scenario against one profile's system under test and sequences its phases: load,
// warmup (run, not recorded), measure, drain. The executors drive the operations — closed loop
// (N workers, each awaiting its operation) or open loop (arrivals at scheduled times, latency
// from the scheduled time) — and keep their position from warmup to measure. The scenario's
// snapshot brackets the measure phase alone. An AbortSignal stops the run and the partial result
// is returned marked incomplete; a store error never escapes as a throw.
import { z } from 'zod';
import { stableWarmupSchema, warmUntilStable, type StableWarmupInput } from './warmup.ts';
import { formatErrorChain } from '../../reference-dal/error-chain.ts';
import type { StoreKind } from '../provision/provisioner.ts';
import type { ScenarioResult } from '../results/schema.ts';
import { summarizeMeasure } from '../metrics/scenario-result.ts';
import { startSelfMonitor } from '../metrics/self-monitor.ts';
import { startResourceSampler } from '../metrics/resource-sampler.ts';
import { ClosedLoop } from './executors/closed-loop.ts';
import { Execution } from './executors/execution.ts';
import { OpenLoop } from './executors/open-loop.ts';
import { phaseWindow, runPhase } from './executors/phase.ts';
import { loadModelInputSchema, type LoadModel, type LoadModelInput } from './load-model.ts';
import { STREAM } from './planner.ts';
import { Rng } from './random.ts';
import { drawSize, type Scenario } from './scenario.ts';
import { shardPlan, shardSchema, type Shard } from './shard.ts';

export type Phase = 'load' | 'warmup' | 'measure' | 'drain';

export interface Progress {
  readonly scenario: string;
  readonly profile: string;
  readonly phase: Phase;
  /** Milliseconds into the phase and its planned length (0 when open-ended, e.g. load). */
  readonly elapsedMs: number;
  readonly plannedMs: number;
  /** Measured operations so far (successes) and errors. */
  readonly ops: number;
  readonly errors: number;
}

export interface RunScenarioOptions<Sut> {
  readonly scenario: Scenario<Sut>;
  readonly profileName: string;
  readonly sut: Sut;
  /** The whole run's load; with `shard`, this process runs its share. */
  readonly load: LoadModelInput;
  readonly seed: number;
  /** Measure phase length; defaults to the scenario's phases.measureMs. */
  readonly durationMs?: number;
  readonly warmupMs?: number;
  /** Warm up until the p50 settles (with a cap) instead of for `warmupMs`. */
  readonly warmupUntilStable?: StableWarmupInput;
  /** Stop the measure phase after this many operations (whole run; sharded runs take their share). */
  readonly maxOps?: number;
  /** Closed loop: each worker stops after this many measured operations (k6's per-VU iterations). */
  readonly maxOpsPerWorker?: number;
  readonly shard?: Shard;
  /** Stores that are up for this run; a scenario needing one not listed is skipped with the reason. */
  readonly availableStores?: readonly StoreKind[];
  readonly unavailableReasons?: Readonly<Partial<Record<StoreKind, string>>>;
  /** Skip the scenario's load phase (a reused dataset: its data is already in the stores). */
  readonly skipLoad?: boolean;
  /** Called once the load phase finished without error (`--reuse-data` keeps the data from then on). */
  readonly onLoaded?: () => Promise<void>;
  readonly repeat?: number;
  /** Open loop: a start more than this after its intended time counts as late (generator lag). */
  readonly lateThresholdMs?: number;
  /** Stop the scenario as errored after this many operation errors (autocannon's bailout). */
  readonly errorLimit?: number;
  /** After the warmup and the measure phase, how long to wait for operations still in flight. */
  readonly drainTimeoutMs?: number;
  readonly signal?: AbortSignal;
  readonly onProgress?: (progress: Progress) => void;
  readonly progressIntervalMs?: number;
  /** Called as the measure phase begins, with its count of measured operations so far (fault plans). */
  readonly onMeasureStart?: (measuredOps: () => number) => void;
  /** How often the harness's heap, RSS and sockets are sampled in the measure phase (default 1 s). */
  readonly resourceIntervalMs?: number;
  readonly log?: (line: string) => void;
}

const optionsSchema = z
  .object({
    profileName: z.string().min(1),
    load: loadModelInputSchema,
    seed: z.number().int(),
    durationMs: z.number().int().positive().optional(),
    warmupMs: z.number().int().min(0).optional(),
    warmupUntilStable: stableWarmupSchema.optional(),
    maxOps: z.number().int().positive().optional(),
    maxOpsPerWorker: z.number().int().positive().optional(),
    shard: shardSchema.optional(),
    repeat: z.number().int().min(0).default(0),
    lateThresholdMs: z.number().positive().default(2),
    errorLimit: z.number().int().positive().optional(),
    drainTimeoutMs: z.number().int().min(0).default(5_000),
    progressIntervalMs: z.number().int().positive().default(500),
    resourceIntervalMs: z.number().int().positive().default(1_000),
  })
  .refine((o) => o.maxOpsPerWorker === undefined || o.load.type === 'closed', {
    message: 'a per-worker bound needs a closed loop (an open loop has no workers)',
    path: ['maxOpsPerWorker'],
  });

export class RunOptionsError extends Error {
  override name = 'RunOptionsError';
}

const EMPTY = { durationMs: 0, operations: [], counters: {}, metrics: {}, distributions: {}, warnings: [] };

export async function runScenario<Sut>(options: RunScenarioOptions<Sut>): Promise<ScenarioResult> {
  const parsed = optionsSchema.safeParse(options);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new RunOptionsError(
      `runScenario: ${issue ? `${issue.path.join('.') || '(options)'}: ${issue.message}` : 'invalid options'}`,
      { cause: parsed.error },
    );
  }
  const opts = parsed.data;
  const { scenario, sut, signal } = options;
  const loadModel: LoadModel = opts.load;
  const plan = shardPlan(stripLoad(loadModel), opts.shard, opts.maxOps);
  const base = {
    scenario: scenario.name,
    profile: opts.profileName,
    repeat: opts.repeat,
    driver: 'dal' as const,
    // A shard records its own share, so merged shards add up to the whole run's load.
    ...(plan.load.type === 'closed' && plan.load.concurrency === 0 ? {} : { loadModel: plan.load }),
  };

  const missing = scenario.stores.filter(
    (kind) => !(options.availableStores ?? scenario.stores).includes(kind),
  );
  if (missing.length > 0) {
    const reason = missing
      .map((kind) => {
        const why = options.unavailableReasons?.[kind];
        return `${kind} unavailable${why ? `: ${why}` : ''}`;
      })
      .join('; ');
    return { ...base, ...EMPTY, status: 'skipped', reason };
  }
  if (plan.streams.length === 0 || (plan.load.type === 'closed' && plan.load.concurrency === 0)) {
    const reason = `shard ${opts.shard?.index}/${opts.shard?.count} has no workers`;
    return { ...base, ...EMPTY, status: 'skipped', reason };
  }
  if (signal?.aborted) return { ...base, ...EMPTY, status: 'incomplete', reason: 'interrupted before start' };

  const log = options.log ?? (() => {});
  const warmupMs = opts.warmupMs ?? scenario.phases.warmupMs;
  const durationMs = opts.durationMs ?? scenario.phases.measureMs;
  using execution = new Execution({
    operations: scenario.operations.map((op) => op.name),
    openLoop: loadModel.type === 'open',
    errorLimit: opts.errorLimit,
    signal,
  });
  using progress = new ProgressReporter(options, execution, opts.progressIntervalMs);

  const startedMs = performance.now();
  const snapshotCounters: Record<string, number> = {};
  if (scenario.load && scenario.phases.load && !options.skipLoad) {
    try {
      await scenario.load({
        sut,
        rng: Rng.at(opts.seed, STREAM.load, scenario.data.seed),
        records: scenario.data.records,
        valueSize: (rng) => drawSize(scenario.data.valueSize, rng),
        signal: execution.signal,
        log,
      });
      if (!signal?.aborted) await options.onLoaded?.();
    } catch (error) {
      if (signal?.aborted)
        return { ...base, ...EMPTY, status: 'incomplete', reason: 'interrupted during load' };
      return {
        ...base,
        ...EMPTY,
        status: 'errored',
        reason: `load phase failed: ${formatErrorChain(error, 'line')}`,
      };
    }
    snapshotCounters.loadMs = Math.round(performance.now() - startedMs);
    if (signal?.aborted)
      return {
        ...base,
        ...EMPTY,
        counters: snapshotCounters,
        status: 'incomplete',
        reason: 'interrupted during load',
      };
  }

  const executor =
    plan.load.type === 'closed'
      ? new ClosedLoop({
          scenario,
          sut,
          execution,
          seed: opts.seed,
          streams: plan.streams,
          streamCount: plan.streamCount,
          ...(opts.maxOpsPerWorker === undefined ? {} : { maxOpsPerWorker: opts.maxOpsPerWorker }),
        })
      : new OpenLoop({
          scenario,
          sut,
          execution,
          seed: opts.seed,
          stream: plan.streams[0]!,
          streamCount: plan.streamCount,
          ratePerSec: plan.load.ratePerSec,
          arrival: plan.load.arrival,
          ...(loadModel.type === 'open' ? { maxInFlight: loadModel.maxInFlight } : {}),
          lateThresholdMs: opts.lateThresholdMs,
        });

  const warnings: string[] = [];
  if (opts.warmupUntilStable) {
    const settings = opts.warmupUntilStable;
    progress.enter('warmup', performance.now(), settings.capMs);
    const outcome = await warmUntilStable(executor, settings, opts.drainTimeoutMs, () => execution.stopped);
    snapshotCounters.warmupMs = outcome.ms;
    snapshotCounters.warmupSettled = outcome.settled ? 1 : 0;
    const p50s = outcome.p50sMs
      .slice(-settings.windows)
      .map((p) => (Number.isFinite(p) ? p.toFixed(2) : 'none'))
      .join(', ');
    if (outcome.stuck > 0)
      warnings.push(
        `${outcome.stuck} warmup operation(s) still in flight ${opts.drainTimeoutMs} ms after a warmup window; they ran on`,
      );
    if (outcome.settled)
      log(
        `${scenario.name}/${opts.profileName}: warmup settled after ${outcome.ms} ms (last p50s ${p50s} ms)`,
      );
    else
      warnings.push(
        `warmup hit its ${settings.capMs} ms cap before the p50 settled within ±${settings.tolerance * 100} % over ${settings.windows} windows (last p50s ${p50s} ms): the first measured seconds may still be warming up`,
      );
  } else if (warmupMs > 0) {
    const warmup = phaseWindow(false, performance.now(), warmupMs);
    progress.enter('warmup', warmup.startMs, warmupMs);
    // Warmup operations finish before the snapshot, so none of their effects count as measured.
    if (!(await runPhase(executor, warmup, opts.drainTimeoutMs)))
      warnings.push(
        `${warmup.inFlight} warmup operation(s) still in flight ${opts.drainTimeoutMs} ms after the warmup; they ran on into the measure phase`,
      );
  }
  if (interrupted(execution))
    return {
      ...base,
      ...EMPTY,
      counters: snapshotCounters,
      status: 'incomplete',
      reason: 'interrupted during warmup',
    };

  let before: Record<string, number> = {};
  if (scenario.snapshot) {
    try {
      before = await scenario.snapshot(sut);
    } catch (error) {
      const reason = `snapshot before measure failed: ${formatErrorChain(error, 'line')}`;
      return { ...base, ...EMPTY, counters: snapshotCounters, status: 'errored', reason };
    }
  }

  const monitor = startSelfMonitor();
  const sampler = startResourceSampler(opts.resourceIntervalMs);
  const measure = phaseWindow(true, performance.now(), durationMs, plan.maxOps);
  execution.beginMeasure(measure.startMs);
  options.onMeasureStart?.(() => execution.measuredOps);
  progress.enter('measure', measure.startMs, durationMs);
  let drained: boolean;
  try {
    drained = await runPhase(executor, measure, opts.drainTimeoutMs, () =>
      progress.enter('drain', performance.now(), opts.drainTimeoutMs),
    );
  } catch (error) {
    monitor.stop();
    sampler.stop();
    throw error;
  }
  const endMs = performance.now();
  const reading = monitor.stop();
  const resources = sampler.stop();
  // A run bounded by operation counts ends when its last operation completes, not at the planned end.
  const opBounded = opts.maxOps !== undefined || opts.maxOpsPerWorker !== undefined;
  const elapsedMs = Math.max(0, (opBounded ? endMs : Math.min(endMs, measure.endMs)) - measure.startMs);

  if (scenario.snapshot) {
    try {
      const after = await scenario.snapshot(sut);
      for (const [name, value] of Object.entries(after)) snapshotCounters[name] = value - (before[name] ?? 0);
    } catch (error) {
      execution.recorder.count('snapshotErrors');
      log(
        `${scenario.name}/${opts.profileName}: snapshot after measure failed: ${formatErrorChain(error, 'line')}`,
      );
    }
  }

  const summary = summarizeMeasure({
    durationMs: elapsedMs,
    stats: execution.stats,
    recorder: execution.recorder,
    snapshotCounters,
    reading,
    resources,
    scheduling:
      executor instanceof OpenLoop
        ? { scheduled: executor.scheduled, lateStarts: executor.lateStarts, lag: executor.schedulingLag() }
        : undefined,
    scenario,
    stuck: drained ? undefined : { count: measure.inFlight, timeoutMs: opts.drainTimeoutMs },
  });
  const result = { ...base, ...summary, warnings: [...warnings, ...summary.warnings] };
  if (execution.stopReason === 'signal')
    return { ...result, status: 'incomplete', reason: 'interrupted during the run' };
  if (execution.stopReason === 'error-limit') {
    const reason = `stopped after ${execution.errors} operation errors (limit ${opts.errorLimit})`;
    return { ...result, status: 'errored', reason };
  }
  return drained
    ? { ...result, status: 'completed' }
    : { ...result, status: 'incomplete', reason: 'operations did not finish' };
}

/** Calls onProgress every interval with the phase the run is in (nothing when no one listens). */
class ProgressReporter implements Disposable {
  private phase: Phase = 'load';
  private phaseStartMs = performance.now();
  private plannedMs = 0;
  private readonly timer: NodeJS.Timeout | undefined;

  constructor(options: RunScenarioOptions<unknown>, execution: Execution, intervalMs: number) {
    const listener = options.onProgress;
    if (!listener) return;
    this.timer = setInterval(() => {
      listener({
        scenario: options.scenario.name,
        profile: options.profileName,
        phase: this.phase,
        elapsedMs: performance.now() - this.phaseStartMs,
        plannedMs: this.plannedMs,
        ops: execution.measuredOps,
        errors: execution.errors,
      });
    }, intervalMs);
    this.timer.unref();
  }

  enter(phase: Phase, startMs: number, plannedMs: number): void {
    this.phase = phase;
    this.phaseStartMs = startMs;
    this.plannedMs = plannedMs;
  }

  [Symbol.dispose](): void {
    if (this.timer) clearInterval(this.timer);
  }
}

function stripLoad(load: LoadModel): ScenarioResult['loadModel'] & {} {
  return load.type === 'closed'
    ? { type: 'closed', concurrency: load.concurrency }
    : { type: 'open', ratePerSec: load.ratePerSec, arrival: load.arrival };
}

/** A function, not an inline test: the stop reason changes while phases run, so it must not narrow. */
function interrupted(execution: Execution): boolean {
  return execution.stopReason === 'signal';
}

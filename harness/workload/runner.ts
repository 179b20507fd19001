// Runs one scenario against one profile's system under test: load, warmup (not recorded),
// measure. Closed loop: N workers, each awaiting its operation before the next. Open loop: a
// scheduler launches operations at their intended times (Poisson or constant) and latency is
// measured from the intended time, so a stall shows in the percentiles (coordinated omission);
// the uncorrected latency (from the actual start) is kept beside it. An AbortSignal stops the run
// and the partial result is returned marked incomplete; a store error never escapes as a throw.
import { setTimeout as sleep } from 'node:timers/promises';
import { z } from 'zod';
import type { StoreKind } from '../provision/provisioner.ts';
import type { OperationResult, ScenarioResult } from '../report/results-schema.ts';
import { OperationStats } from '../metrics/operation-stats.ts';
import { ScenarioRecorder, discardingRecorder } from '../metrics/scenario-recorder.ts';
import { generatorWarnings, startSelfMonitor } from '../metrics/self-monitor.ts';
import { loadModelInputSchema, type LoadModel, type LoadModelInput } from './load-model.ts';
import { OperationPlanner, STREAM } from './planner.ts';
import { Rng } from './random.ts';
import { drawSize, type OperationContext, type Recorder, type Scenario } from './scenario.ts';
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
  /** Stop the measure phase after this many operations (whole run; sharded runs take their share). */
  readonly maxOps?: number;
  readonly shard?: Shard;
  /** Stores that are up for this run; a scenario needing one not listed is skipped with the reason. */
  readonly availableStores?: readonly StoreKind[];
  readonly unavailableReasons?: Readonly<Partial<Record<StoreKind, string>>>;
  /** Skip the scenario's load phase (e.g. every shard but the first). */
  readonly skipLoad?: boolean;
  readonly repeat?: number;
  /** Open loop: a start more than this after its intended time counts as late (generator lag). */
  readonly lateThresholdMs?: number;
  /** Stop the scenario as errored after this many operation errors (autocannon's bailout). */
  readonly errorLimit?: number;
  /** After the measure phase, how long to wait for operations still in flight. */
  readonly drainTimeoutMs?: number;
  readonly signal?: AbortSignal;
  readonly onProgress?: (progress: Progress) => void;
  readonly progressIntervalMs?: number;
  readonly log?: (line: string) => void;
}

const optionsSchema = z.object({
  profileName: z.string().min(1),
  load: loadModelInputSchema,
  seed: z.number().int(),
  durationMs: z.number().int().positive().optional(),
  warmupMs: z.number().int().min(0).optional(),
  maxOps: z.number().int().positive().optional(),
  shard: shardSchema.optional(),
  repeat: z.number().int().min(0).default(0),
  lateThresholdMs: z.number().positive().default(2),
  errorLimit: z.number().int().positive().optional(),
  drainTimeoutMs: z.number().int().min(0).default(5_000),
  progressIntervalMs: z.number().int().positive().default(500),
});

const YIELD_EVERY_MS = 5;

export class RunOptionsError extends Error {
  override name = 'RunOptionsError';
}

/** Shared mutable state of one measure run (owned by runScenario, not module-level). */
interface RunState {
  stats: OperationStats[];
  readonly recorder: ScenarioRecorder;
  /** Start of warmup: open-loop arrivals are scheduled from here, so the schedule is the same every run. */
  originMs: number;
  measureStartMs: number;
  measureEndMs: number;
  stopped: boolean;
  stopReason: 'signal' | 'error-limit' | undefined;
  measuredOps: number;
  errors: number;
  scheduled: number;
  lateStarts: number;
  inFlight: number;
}

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
  const empty = { durationMs: 0, operations: [], counters: {}, metrics: {}, distributions: {}, warnings: [] };

  const missing = scenario.stores.filter(
    (kind) => !(options.availableStores ?? scenario.stores).includes(kind),
  );
  if (missing.length > 0) {
    const reason = missing
      .map(
        (kind) =>
          `${kind} unavailable${options.unavailableReasons?.[kind] ? `: ${options.unavailableReasons[kind]}` : ''}`,
      )
      .join('; ');
    return { ...base, ...empty, status: 'skipped', reason };
  }
  if (plan.streams.length === 0 || (plan.load.type === 'closed' && plan.load.concurrency === 0)) {
    return {
      ...base,
      ...empty,
      status: 'skipped',
      reason: `shard ${opts.shard?.index}/${opts.shard?.count} has no workers`,
    };
  }
  if (signal?.aborted) return { ...base, ...empty, status: 'incomplete', reason: 'interrupted before start' };

  const log = options.log ?? (() => {});
  const counters: Record<string, number> = {};
  const startedMs = performance.now();
  let phase: Phase = 'load';
  let phaseStart = startedMs;
  let plannedMs = 0;
  const warmupMs = opts.warmupMs ?? scenario.phases.warmupMs;
  const durationMs = opts.durationMs ?? scenario.phases.measureMs;

  const state: RunState = {
    stats: [],
    recorder: new ScenarioRecorder(),
    originMs: 0,
    measureStartMs: Infinity,
    measureEndMs: Infinity,
    stopped: false,
    stopReason: undefined,
    measuredOps: 0,
    errors: 0,
    scheduled: 0,
    lateStarts: 0,
    inFlight: 0,
  };
  const onAbort = () => {
    state.stopped = true;
    state.stopReason ??= 'signal';
  };
  signal?.addEventListener('abort', onAbort, { once: true });
  const progress = options.onProgress
    ? setInterval(() => {
        options.onProgress?.({
          scenario: scenario.name,
          profile: opts.profileName,
          phase,
          elapsedMs: performance.now() - phaseStart,
          plannedMs,
          ops: state.measuredOps,
          errors: state.errors,
        });
      }, opts.progressIntervalMs)
    : undefined;
  progress?.unref();

  try {
    if (scenario.load && scenario.phases.load && !options.skipLoad) {
      try {
        await scenario.load({
          sut,
          rng: Rng.at(opts.seed, STREAM.load, scenario.data.seed),
          records: scenario.data.records,
          valueSize: (rng) => drawSize(scenario.data.valueSize, rng),
          signal: signal ?? new AbortController().signal,
          log,
        });
      } catch (error) {
        if (signal?.aborted)
          return { ...base, ...empty, status: 'incomplete', reason: 'interrupted during load' };
        return { ...base, ...empty, status: 'errored', reason: `load phase failed: ${describe(error)}` };
      }
      counters.loadMs = Math.round(performance.now() - startedMs);
      if (signal?.aborted)
        return { ...base, ...empty, counters, status: 'incomplete', reason: 'interrupted during load' };
    }

    let before: Record<string, number> = {};
    if (scenario.snapshot) {
      try {
        before = await scenario.snapshot(sut);
      } catch (error) {
        return {
          ...base,
          ...empty,
          counters,
          status: 'errored',
          reason: `snapshot before measure failed: ${describe(error)}`,
        };
      }
    }

    const monitor = startSelfMonitor();
    const t0 = performance.now();
    state.originMs = t0;
    state.measureStartMs = t0 + warmupMs;
    state.measureEndMs = state.measureStartMs + durationMs;
    state.stats = scenario.operations.map(
      (op) => new OperationStats(op.name, state.measureStartMs, loadModel.type === 'open'),
    );
    phase = warmupMs > 0 ? 'warmup' : 'measure';
    phaseStart = t0;
    plannedMs = warmupMs > 0 ? warmupMs : durationMs;
    const phaseWatch = setTimeout(() => {
      monitor.reset();
      phase = 'measure';
      phaseStart = performance.now();
      plannedMs = durationMs;
    }, warmupMs);
    phaseWatch.unref();

    const run =
      plan.load.type === 'closed'
        ? runClosed(
            scenario,
            sut,
            opts.seed,
            plan.streams,
            plan.streamCount,
            plan.maxOps,
            state,
            options,
            opts.errorLimit,
          )
        : runOpen(
            scenario,
            sut,
            opts.seed,
            plan.streams[0]!,
            plan.streamCount,
            plan.load.ratePerSec,
            loadModel.type === 'open' ? loadModel : undefined,
            plan.maxOps,
            state,
            options,
            opts.lateThresholdMs,
            opts.errorLimit,
          );
    const drained = await drainWithin(run, state, opts.drainTimeoutMs, () => {
      phase = 'drain';
      phaseStart = performance.now();
      plannedMs = opts.drainTimeoutMs;
    });
    clearTimeout(phaseWatch);
    const endMs = performance.now();
    const reading = monitor.stop();
    const measuredMs = Math.max(
      0,
      Math.min(endMs, state.measureEndMs) - Math.min(state.measureStartMs, endMs),
    );
    // A run bounded by op count ends when its last operation completes, not at the planned end.
    const elapsedMs = opts.maxOps !== undefined ? Math.max(0, endMs - state.measureStartMs) : measuredMs;

    if (scenario.snapshot) {
      try {
        const after = await scenario.snapshot(sut);
        for (const [name, value] of Object.entries(after)) counters[name] = value - (before[name] ?? 0);
      } catch (error) {
        state.recorder.count('snapshotErrors');
        log(`${scenario.name}/${opts.profileName}: snapshot after measure failed: ${describe(error)}`);
      }
    }
    for (const [name, value] of state.recorder.counters) counters[name] = (counters[name] ?? 0) + value;

    const operations: OperationResult[] = state.stats.map((s) => s.result(elapsedMs));
    const lateStartShare =
      loadModel.type === 'open' && state.scheduled > 0 ? state.lateStarts / state.scheduled : undefined;
    if (loadModel.type === 'open') {
      counters.scheduledOps = state.scheduled;
      counters.lateStarts = state.lateStarts;
    }
    const metrics: Record<string, number> = {
      harnessEventLoopDelayP99Ms: reading.eventLoopDelayP99Ms,
      harnessEventLoopDelayMaxMs: reading.eventLoopDelayMaxMs,
      harnessCpuShare: reading.cpuShare,
      ...(lateStartShare === undefined ? {} : { harnessLateStartShare: lateStartShare }),
    };
    const warnings = generatorWarnings({ reading, lateStartShare });
    if (!drained)
      warnings.push(
        `${state.inFlight} operation(s) still in flight ${opts.drainTimeoutMs} ms after the measure phase; not recorded`,
      );
    if (scenario.derive) {
      try {
        Object.assign(
          metrics,
          scenario.derive({
            counters,
            durationMs: elapsedMs,
            operations: operations.map((o) => ({
              name: o.name,
              count: o.count,
              errors: Object.values(o.errors).reduce((a, b) => a + b, 0),
              p50Us: o.latency.p50Us,
              p99Us: o.latency.p99Us,
            })),
          }),
        );
      } catch (error) {
        warnings.push(`derive() failed: ${describe(error)}`);
      }
    }
    for (const [name, value] of Object.entries(metrics))
      if (!Number.isFinite(value)) {
        delete metrics[name];
        warnings.push(`metric ${name} was not a finite number (${value}); left out`);
      }

    const result = {
      ...base,
      durationMs: elapsedMs,
      operations,
      counters,
      metrics,
      distributions: state.recorder.distributionSummaries(),
      warnings,
    };
    if (state.stopReason === 'signal')
      return { ...result, status: 'incomplete', reason: 'interrupted during the run' };
    if (state.stopReason === 'error-limit') {
      return {
        ...result,
        status: 'errored',
        reason: `stopped after ${state.errors} operation errors (limit ${opts.errorLimit})`,
      };
    }
    return {
      ...result,
      status: drained ? 'completed' : 'incomplete',
      ...(drained ? {} : { reason: 'operations did not finish' }),
    };
  } finally {
    if (progress) clearInterval(progress);
    signal?.removeEventListener('abort', onAbort);
  }
}

function stripLoad(load: LoadModel): ScenarioResult['loadModel'] & {} {
  return load.type === 'closed'
    ? { type: 'closed', concurrency: load.concurrency }
    : { type: 'open', ratePerSec: load.ratePerSec, arrival: load.arrival };
}

function describe(error: unknown): string {
  const parts: string[] = [];
  let current: unknown = error;
  for (let depth = 0; current !== undefined && depth < 4; depth++) {
    parts.push(
      current instanceof Error
        ? `${current.name}: ${current.message}`
        : (JSON.stringify(current) ?? typeof current),
    );
    current = current instanceof Error ? current.cause : undefined;
  }
  return parts.join(' (caused by ') + ')'.repeat(parts.length - 1);
}

/** Wait for the drivers; after the planned end plus the timeout, give up on stuck operations. */
async function drainWithin(
  run: Promise<void>,
  state: RunState,
  timeoutMs: number,
  onDrain: () => void,
): Promise<boolean> {
  const controller = new AbortController();
  const untilEnd = Math.max(0, state.measureEndMs - performance.now());
  const finished = run.then(() => true);
  const late = (async () => {
    await sleep(untilEnd, undefined, { signal: controller.signal, ref: false });
    onDrain();
    await sleep(timeoutMs, undefined, { signal: controller.signal, ref: false });
    return false;
  })().catch(() => true);
  try {
    return await Promise.race([finished, late]);
  } finally {
    state.stopped = true;
    controller.abort();
  }
}

function noteError(state: RunState, errorLimit: number | undefined): void {
  state.errors++;
  if (errorLimit !== undefined && state.errors >= errorLimit) {
    state.stopped = true;
    state.stopReason ??= 'error-limit';
  }
}

async function runClosed<Sut>(
  scenario: Scenario<Sut>,
  sut: Sut,
  seed: number,
  streams: readonly number[],
  streamCount: number,
  maxOps: number | undefined,
  state: RunState,
  options: RunScenarioOptions<Sut>,
  errorLimit: number | undefined,
): Promise<void> {
  const signal = options.signal ?? new AbortController().signal;
  const ops = scenario.operations;
  const worker = async (stream: number) => {
    const planner = new OperationPlanner(scenario, seed, stream, streamCount);
    const rng = Rng.at(seed, STREAM.operation, stream);
    let lastYieldMs = performance.now();
    for (;;) {
      if (state.stopped) return;
      let startMs = performance.now();
      // An operation that never leaves the microtask queue (a no-op, a cache in process) would
      // starve timers and the abort signal: give the event loop a turn every few milliseconds.
      if (startMs - lastYieldMs > YIELD_EVERY_MS) {
        await new Promise<void>((resolve) => setImmediate(resolve));
        if (state.stopped) return;
        lastYieldMs = startMs = performance.now();
      }
      if (startMs >= state.measureEndMs) return;
      const measuring = startMs >= state.measureStartMs;
      if (measuring && maxOps !== undefined && state.measuredOps >= maxOps) return;
      const planned = planner.next();
      const recorder: Recorder = measuring ? state.recorder : discardingRecorder;
      if (measuring) state.measuredOps++;
      const ctx: OperationContext<Sut> = {
        sut,
        rng,
        key: planned.key,
        keyCount: planned.keyCount,
        valueSize: planned.valueSize,
        recorder,
        stream,
        signal,
      };
      state.inFlight++;
      try {
        await ops[planned.op]!.run(ctx);
        if (measuring) state.stats[planned.op]!.success(startMs, startMs, performance.now());
      } catch (error) {
        if (measuring) {
          state.stats[planned.op]!.error(error, performance.now());
          noteError(state, errorLimit);
        }
      } finally {
        state.inFlight--;
      }
    }
  };
  await Promise.all(streams.map(worker));
}

async function runOpen<Sut>(
  scenario: Scenario<Sut>,
  sut: Sut,
  seed: number,
  stream: number,
  streamCount: number,
  ratePerSec: number,
  model: Extract<LoadModel, { type: 'open' }> | undefined,
  maxOps: number | undefined,
  state: RunState,
  options: RunScenarioOptions<Sut>,
  lateThresholdMs: number,
  errorLimit: number | undefined,
): Promise<void> {
  const signal = options.signal ?? new AbortController().signal;
  const ops = scenario.operations;
  const planner = new OperationPlanner(scenario, seed, stream, streamCount);
  const arrivals = Rng.at(seed, STREAM.arrival, stream);
  const meanGapMs = 1000 / ratePerSec;
  const poisson = (model?.arrival ?? 'poisson') === 'poisson';
  const maxInFlight = model?.maxInFlight ?? 10_000;
  let slotFreed: (() => void) | undefined;
  // After waiting for an in-flight slot, lateness counts from then: that wait is the store's, not the generator's.
  let capReleasedMs = -Infinity;
  let seq = 0;
  let intendedMs = state.originMs + (poisson ? arrivals.exponential(meanGapMs) : 0);

  const launch = (intended: number, startMs: number) => {
    const planned = planner.next();
    const measuring = intended >= state.measureStartMs;
    if (measuring) {
      state.measuredOps++;
      state.scheduled++;
      if (startMs - Math.max(intended, capReleasedMs) > lateThresholdMs) state.lateStarts++;
    }
    const ctx: OperationContext<Sut> = {
      sut,
      rng: Rng.at(seed, STREAM.operation, stream, seq++),
      key: planned.key,
      keyCount: planned.keyCount,
      valueSize: planned.valueSize,
      recorder: measuring ? state.recorder : discardingRecorder,
      stream,
      signal,
    };
    state.inFlight++;
    void (async () => {
      try {
        await ops[planned.op]!.run(ctx);
        if (measuring) state.stats[planned.op]!.success(intended, startMs, performance.now());
      } catch (error) {
        if (measuring) {
          state.stats[planned.op]!.error(error, performance.now());
          noteError(state, errorLimit);
        }
      } finally {
        state.inFlight--;
        slotFreed?.();
      }
    })();
  };

  while (!state.stopped && intendedMs < state.measureEndMs) {
    if (maxOps !== undefined && state.measuredOps >= maxOps) break;
    if (state.inFlight >= maxInFlight) {
      await new Promise<void>((resolve) => (slotFreed = resolve));
      slotFreed = undefined;
      capReleasedMs = performance.now();
      continue;
    }
    const now = performance.now();
    if (intendedMs <= now) {
      launch(intendedMs, now);
      intendedMs += poisson ? arrivals.exponential(meanGapMs) : meanGapMs;
      continue;
    }
    // Sleep on a timer for most of the gap, then yield with setImmediate for sub-millisecond precision.
    const waitMs = intendedMs - now;
    if (waitMs > 2) await sleep(Math.floor(waitMs) - 1);
    else await new Promise<void>((resolve) => setImmediate(resolve));
  }
  while (state.inFlight > 0) {
    await new Promise<void>((resolve) => (slotFreed = resolve));
    slotFreed = undefined;
  }
}

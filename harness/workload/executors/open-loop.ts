// Open loop: operations start at their scheduled times (Poisson or constant arrivals), whether or
// not earlier ones have finished, and latency counts from the scheduled time, so a stalled store
// shows in the percentiles (coordinated omission). The generator's own lateness (actual start −
// scheduled start) is recorded too: it is the instrument's error, charged to every operation.
//
// Timers alone are too coarse for that (1 ms steps, late under load), so — as wrk2 and
// HdrHistogram's load generators do — the dispatcher never sleeps past a scheduled start: it
// starts every arrival whose time has come in one tight loop and sleeps on a timer only for long
// waits, waking early. Shorter waits: with operations in flight it takes event-loop turns
// (setImmediate), so their completions, I/O included, are timed when they happen; with none in
// flight it spins to the next start. The spin reads a clock that does not allocate, and the next
// operation is planned while waiting: a garbage-collection pause delays every arrival scheduled
// inside it, and at 20,000/s a polling loop's garbage alone made those pauses set the lag's p99.
import { z } from 'zod';
import type { HistogramSummary } from '../../results/schema.ts';
import { createHistogram, summarizeHistogram } from '../../metrics/histogram.ts';
import { toMicros } from '../../metrics/operation-stats.ts';
import { discardingRecorder } from '../../metrics/scenario-recorder.ts';
import { OperationPlanner, STREAM, type PlannedOperation } from '../planner.ts';
import { Rng } from '../random.ts';
import type { OperationContext, Scenario } from '../scenario.ts';
import type { Execution } from './execution.ts';
import { parseExecutorOptions } from './options.ts';
import type { Executor, PhaseWindow } from './phase.ts';

/** Waits longer than this plus a millisecond sleep on a timer (whole-millisecond steps), set to wake this much early. */
const TIMER_EARLY_MS = 2;
/** A timer sleep is cut at this length, so a stop is noticed. */
const MAX_SLEEP_MS = 50;
/** Dispatching without a break gives the event loop a turn at least this often (completions, I/O). */
const MAX_TURN_MS = 1;

export type Wait = 'sleep' | 'turn' | 'settle' | 'spin';

/**
 * How to wait `waitMs` for the next start. Far: sleep on a timer (it wakes early). Once per
 * millisecond at least: an event-loop turn, for timers and I/O. Operations in flight: first let
 * those that finish in microtasks settle (no turn needed), then take a turn so I/O completions run
 * and are timed when they happen. Nothing in flight: spin.
 */
export function chooseWait(
  waitMs: number,
  inFlight: number,
  settledSinceLaunch: boolean,
  msSinceTurn: number,
): Wait {
  if (waitMs > TIMER_EARLY_MS + 1) return 'sleep';
  if (msSinceTurn > MAX_TURN_MS) return 'turn';
  if (inFlight > 0) return settledSinceLaunch ? 'turn' : 'settle';
  return 'spin';
}

/** A promise already resolved: `.then` on it runs a callback after the microtasks queued so far. */
const SETTLED = Promise.resolve();

/** Busy-wait without allocating: performance.now() boxes every result, hrtime.bigint() does not here. */
function spinFor(ms: number): void {
  const until = process.hrtime.bigint() + BigInt(Math.ceil(ms * 1e6));
  while (process.hrtime.bigint() < until) {
    // Nothing in flight, and the next start is nearer than a timer can hit.
  }
}

const openLoopSchema = z
  .object({
    seed: z.number().int(),
    /** This process's stream (its shard's global index). */
    stream: z.number().int().min(0),
    /** Streams of the whole run, across shards. */
    streamCount: z.number().int().positive(),
    /** This process's share of the offered rate. */
    ratePerSec: z.number().finite().positive(),
    arrival: z.enum(['poisson', 'constant']).default('poisson'),
    /** Operations in flight at most; arrivals beyond wait (and that wait counts in corrected latency). */
    maxInFlight: z.number().int().positive().default(10_000),
    /** A start later than this for the generator's own reasons counts as a late start. */
    lateThresholdMs: z.number().positive().default(2),
  })
  .refine((o) => o.stream < o.streamCount, {
    message: 'expected the stream index below streamCount',
    path: ['stream'],
  });

export interface OpenLoopOptions<Sut> extends z.input<typeof openLoopSchema> {
  readonly scenario: Scenario<Sut>;
  readonly sut: Sut;
  readonly execution: Execution;
}

interface Prepared {
  readonly planned: PlannedOperation;
  readonly rng: Rng;
}

export class OpenLoop<Sut> implements Executor {
  /** Measured arrivals, and those that started later than the threshold. */
  scheduled = 0;
  lateStarts = 0;
  private readonly config: z.output<typeof openLoopSchema>;
  private readonly scenario: Scenario<Sut>;
  private readonly sut: Sut;
  private readonly execution: Execution;
  private readonly planner: OperationPlanner;
  private readonly arrivals: Rng;
  private readonly meanGapMs: number;
  private readonly poisson: boolean;
  private readonly lag = createHistogram();
  private seq = 0;
  /** Schedule time (ms from the schedule's start) of the next arrival. */
  private next: number;
  /** Schedule time where the next phase begins: phases follow one schedule, whatever the pause between them. */
  private scheduleStart = 0;
  /** The next operation, planned while waiting for its start. */
  private prepared: Prepared | undefined;
  /** The running phase's reaction to an operation finishing (a freed slot, the last one out). */
  private onSettled: (() => void) | undefined;

  constructor(options: OpenLoopOptions<Sut>) {
    this.config = parseExecutorOptions('open loop', openLoopSchema, options);
    this.scenario = options.scenario;
    this.sut = options.sut;
    this.execution = options.execution;
    const { seed, stream, streamCount, ratePerSec, arrival } = this.config;
    this.planner = new OperationPlanner(options.scenario, seed, stream, streamCount);
    this.arrivals = Rng.at(seed, STREAM.arrival, stream);
    this.meanGapMs = 1000 / ratePerSec;
    this.poisson = arrival === 'poisson';
    this.next = this.poisson ? this.arrivals.exponential(this.meanGapMs) : 0;
  }

  /** How late the generator started the measured arrivals (µs): the instrument's own error. */
  schedulingLag(): HistogramSummary {
    return summarizeHistogram(this.lag);
  }

  run(phase: PhaseWindow): Promise<void> {
    const { execution } = this;
    const { maxInFlight } = this.config;
    const maxOps = phase.maxOps ?? Infinity;
    // Schedule time + toClock = performance.now() time, for this phase.
    const toClock = phase.startMs - this.scheduleStart;
    const scheduleEnd = this.scheduleStart + (phase.endMs - phase.startMs);
    this.scheduleStart = scheduleEnd;

    return new Promise<void>((resolve, reject) => {
      let finishing = false;
      let waitingForSlot = false;
      // After waiting for an in-flight slot, lateness counts from then: that wait is the store's.
      let capReleasedMs = -Infinity;

      const finish = () => {
        finishing = true;
        if (phase.inFlight === 0) resolve();
      };
      this.onSettled = () => {
        if (waitingForSlot) {
          waitingForSlot = false;
          capReleasedMs = performance.now();
          step();
        } else if (finishing && phase.inFlight === 0) resolve();
      };

      // A loop turn runs pending microtasks too, so after one nothing launched before it is unsettled.
      let settledSinceLaunch = true;
      let turnStartMs = 0;
      const afterTurn = () => {
        turnStartMs = performance.now();
        settledSinceLaunch = true;
        step();
      };
      const afterSettle = () => {
        settledSinceLaunch = true;
        step();
      };
      const step = (): void => {
        try {
          let now = performance.now();
          for (;;) {
            if (
              execution.stopped ||
              phase.ended ||
              this.next >= scheduleEnd ||
              (phase.measuring && execution.measuredOps >= maxOps)
            ) {
              finish();
              return;
            }
            if (execution.inFlight >= maxInFlight) {
              waitingForSlot = true;
              return;
            }
            const intendedMs = this.next + toClock;
            if (intendedMs <= now) {
              this.launch(phase, intendedMs, capReleasedMs);
              settledSinceLaunch = false;
              this.next += this.poisson ? this.arrivals.exponential(this.meanGapMs) : this.meanGapMs;
              now = performance.now();
              if (now - turnStartMs > MAX_TURN_MS) {
                setImmediate(afterTurn);
                return;
              }
              continue;
            }
            // Plan the next operation while waiting for it: at its start only a clock read and the call remain.
            this.prepared ??= this.prepare();
            const waitMs = intendedMs - now;
            switch (chooseWait(waitMs, execution.inFlight, settledSinceLaunch, now - turnStartMs)) {
              case 'sleep':
                setTimeout(afterTurn, Math.min(waitMs - TIMER_EARLY_MS, MAX_SLEEP_MS));
                return;
              case 'turn':
                setImmediate(afterTurn);
                return;
              case 'settle':
                void SETTLED.then(afterSettle);
                return;
              case 'spin':
                // Never past the next turn: timers and I/O of anything else still get one each millisecond.
                spinFor(Math.min(waitMs, MAX_TURN_MS));
                now = performance.now();
            }
          }
        } catch (error) {
          finishing = true;
          reject(error instanceof Error ? error : new Error(String(error)));
        }
      };
      afterTurn();
    });
  }

  /** The next operation's plan and random stream, in sequence order whatever the timing. */
  private prepare(): Prepared {
    return {
      planned: this.planner.next(),
      rng: Rng.at(this.config.seed, STREAM.operation, this.config.stream, this.seq++),
    };
  }

  private launch(phase: PhaseWindow, intendedMs: number, capReleasedMs: number): void {
    const { execution } = this;
    const { planned, rng } = this.prepared ?? this.prepare();
    this.prepared = undefined;
    const ctx: OperationContext<Sut> = {
      sut: this.sut,
      rng,
      key: planned.key,
      keyCount: planned.keyCount,
      valueSize: planned.valueSize,
      recorder: phase.measuring ? execution.recorder : discardingRecorder,
      stream: this.config.stream,
      signal: execution.signal,
    };
    const startMs = performance.now();
    void this.execute(phase, planned.op, ctx, intendedMs, startMs);
    if (phase.measuring) {
      execution.measuredOps++;
      this.scheduled++;
      const lagMs = startMs - Math.max(intendedMs, capReleasedMs);
      if (lagMs > this.config.lateThresholdMs) this.lateStarts++;
      this.lag.recordValue(toMicros(lagMs));
    }
  }

  private async execute(
    phase: PhaseWindow,
    op: number,
    ctx: OperationContext<Sut>,
    intendedMs: number,
    startMs: number,
  ): Promise<void> {
    const { execution } = this;
    execution.inFlight++;
    phase.inFlight++;
    try {
      await this.scenario.operations[op]!.run(ctx);
      if (phase.measuring) execution.stats[op]!.success(intendedMs, startMs, performance.now());
      // From the intended start, as the measure phase records it: a lagging generator is not settled.
      else phase.onLatency?.(performance.now() - intendedMs);
    } catch (error) {
      if (phase.measuring) execution.failed(op, error, performance.now());
    } finally {
      execution.inFlight--;
      phase.inFlight--;
      this.onSettled?.();
    }
  }
}

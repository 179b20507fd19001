// One phase (warmup or measure) as an executor sees it, and the wait for its operations to finish.
// Executors keep their own position (planners, arrival schedule) from phase to phase, so a run
// with a warmup replays the same per-stream sequence as one without.
import { setTimeout as sleep } from 'node:timers/promises';

export interface PhaseWindow {
  /** Measure phase: operations are recorded; warmup: they run but nothing is kept. */
  readonly measuring: boolean;
  /** performance.now() milliseconds: when the phase started and when it is planned to end. */
  readonly startMs: number;
  readonly endMs: number;
  /** Measured operations at most (the whole phase, all workers); undefined: bounded by time only. */
  readonly maxOps: number | undefined;
  /** Set when the phase is over (its end plus the drain timeout): executors launch nothing more. */
  ended: boolean;
  /** This phase's operations still running. */
  inFlight: number;
  /** Unrecorded phases: told each successful operation's latency in ms (warmup until stable). */
  readonly onLatency?: (ms: number) => void;
}

export interface Executor {
  /** Launch the phase's operations until its end (or budget, or stop) and wait for them to finish. */
  run(phase: PhaseWindow): Promise<void>;
}

export function phaseWindow(
  measuring: boolean,
  startMs: number,
  lengthMs: number,
  maxOps?: number,
): PhaseWindow {
  return { measuring, startMs, endMs: startMs + lengthMs, maxOps, ended: false, inFlight: 0 };
}

/**
 * Run the phase; after its planned end plus `timeoutMs`, give up on operations still stuck and
 * mark it ended. `onDrain` fires at the planned end if operations are still running then.
 * Resolves true when every operation of the phase finished in time.
 */
export async function runPhase(
  executor: Executor,
  phase: PhaseWindow,
  timeoutMs: number,
  onDrain: () => void = () => {},
): Promise<boolean> {
  const controller = new AbortController();
  const finished = executor.run(phase).then(() => true);
  const late = (async () => {
    await sleep(Math.max(0, phase.endMs - performance.now()), undefined, {
      signal: controller.signal,
      ref: false,
    });
    onDrain();
    await sleep(timeoutMs, undefined, { signal: controller.signal, ref: false });
    return false;
  })().catch(() => true);
  try {
    return await Promise.race([finished, late]);
  } finally {
    phase.ended = true;
    controller.abort();
  }
}

// The harness watches itself during the measure phase: event-loop delay, CPU share, its own
// garbage-collection pauses and (Linux) how long the OS kept it waiting for a CPU. High figures
// mean the generator, not the store, may have set the pace.
import { readFileSync } from 'node:fs';
import { PerformanceObserver, monitorEventLoopDelay, type PerformanceEntry } from 'node:perf_hooks';
import type { HistogramSummary } from '../results/schema.ts';

export interface SelfMonitorReading {
  eventLoopDelayP99Ms: number;
  eventLoopDelayMaxMs: number;
  /** CPU time of this process (user + system) / wall time; 1 = one core fully busy. */
  cpuShare: number;
  /**
   * Share of the wall time the main thread was ready to run but waited for a CPU (Linux
   * schedstat; undefined elsewhere): time the OS, not the harness or the store, took.
   */
  runQueueWaitShare: number | undefined;
  /** Share of the wall time this process was paused by its own garbage collector, and the longest pause. */
  gcPauseShare: number;
  gcPauseMaxMs: number;
}

/** Nanoseconds the main thread has waited on a run queue, or undefined where the kernel does not say. */
function runQueueWaitNs(): number | undefined {
  try {
    // Fields: time on CPU, time waiting on a run queue, timeslices (all since the thread started).
    const wait = Number(readFileSync(`/proc/self/task/${process.pid}/schedstat`, 'utf8').split(' ')[1]);
    return Number.isFinite(wait) ? wait : undefined;
  } catch {
    return undefined;
  }
}

export interface SelfMonitor {
  stop(): SelfMonitorReading;
}

export function startSelfMonitor(): SelfMonitor {
  const delay = monitorEventLoopDelay({ resolution: 10 });
  delay.enable();
  let gcMs = 0;
  let gcMaxMs = 0;
  const addPauses = (entries: readonly PerformanceEntry[]) => {
    for (const entry of entries) {
      gcMs += entry.duration;
      gcMaxMs = Math.max(gcMaxMs, entry.duration);
    }
  };
  const gc = new PerformanceObserver((list) => addPauses(list.getEntries()));
  gc.observe({ entryTypes: ['gc'] });
  const cpu = process.cpuUsage();
  const wall = performance.now();
  const waited = runQueueWaitNs();
  return {
    stop() {
      delay.disable();
      // Entries not yet delivered to the callback are still the phase's.
      addPauses(gc.takeRecords());
      gc.disconnect();
      const used = process.cpuUsage(cpu);
      const elapsedMs = performance.now() - wall;
      // The histogram holds nanoseconds and is empty (NaN percentiles) if nothing was sampled.
      const p99 = delay.count > 0 ? delay.percentile(99) / 1e6 : 0;
      const max = delay.count > 0 ? delay.max / 1e6 : 0;
      const waitedNow = runQueueWaitNs();
      return {
        eventLoopDelayP99Ms: p99,
        eventLoopDelayMaxMs: max,
        cpuShare: elapsedMs > 0 ? (used.user + used.system) / 1000 / elapsedMs : 0,
        runQueueWaitShare:
          waited === undefined || waitedNow === undefined || elapsedMs <= 0
            ? undefined
            : (waitedNow - waited) / 1e6 / elapsedMs,
        gcPauseShare: elapsedMs > 0 ? gcMs / elapsedMs : 0,
        gcPauseMaxMs: gcMaxMs,
      };
    },
  };
}

export interface GeneratorCheck {
  readonly reading: SelfMonitorReading;
  /** Open loop only: share of operations that started later than the threshold for the generator's own reasons. */
  readonly lateStartShare: number | undefined;
}

/** Thresholds above which a result carries a "generator may be the bottleneck" warning. */
export const GENERATOR_LIMITS = {
  lateStartShare: 0.01,
  eventLoopDelayP99Ms: 50,
  cpuShare: 0.9,
  runQueueWaitShare: 0.05,
  /** Scheduling lag p99 over an operation's corrected p99: above it the instrument shapes the tail. */
  schedulingLagShare: 0.25,
} as const;

export function generatorWarnings({ reading, lateStartShare }: GeneratorCheck): string[] {
  const warnings: string[] = [];
  if (lateStartShare !== undefined && lateStartShare > GENERATOR_LIMITS.lateStartShare) {
    warnings.push(
      `generator bottleneck: ${(lateStartShare * 100).toFixed(1)}% of operations started late (limit ${GENERATOR_LIMITS.lateStartShare * 100}%); the offered rate was not sustained by the harness`,
    );
  }
  if (reading.eventLoopDelayP99Ms > GENERATOR_LIMITS.eventLoopDelayP99Ms) {
    warnings.push(
      `generator bottleneck: event-loop delay p99 ${reading.eventLoopDelayP99Ms.toFixed(1)} ms (limit ${GENERATOR_LIMITS.eventLoopDelayP99Ms} ms); latencies include harness stalls`,
    );
  }
  // An open loop polls for its next arrival, so a busy core is by design there; whether it kept up
  // is measured directly (late starts, scheduling lag).
  if (lateStartShare === undefined && reading.cpuShare > GENERATOR_LIMITS.cpuShare) {
    warnings.push(
      `generator bottleneck: the harness process used ${(reading.cpuShare * 100).toFixed(0)}% of a core (limit ${GENERATOR_LIMITS.cpuShare * 100}%); the client, not the store, may set the pace`,
    );
  }
  if (
    reading.runQueueWaitShare !== undefined &&
    reading.runQueueWaitShare > GENERATOR_LIMITS.runQueueWaitShare
  ) {
    warnings.push(
      `generator bottleneck: the harness waited for a CPU ${(reading.runQueueWaitShare * 100).toFixed(1)}% of the measure phase (limit ${GENERATOR_LIMITS.runQueueWaitShare * 100}%); other processes on this machine, not the store, set part of the latencies`,
    );
  }
  return warnings;
}

/**
 * Open loop: one warning per operation whose corrected p99 is not much larger than the
 * generator's own scheduling lag p99 — there the instrument, not the store, sets the tail.
 */
export function schedulingLagWarnings(
  lag: HistogramSummary,
  operations: ReadonlyArray<{ readonly name: string; readonly latency: HistogramSummary }>,
): string[] {
  if (lag.count === 0) return [];
  const warnings: string[] = [];
  for (const op of operations) {
    const p99 = op.latency.p99Us;
    if (op.latency.count === 0 || lag.p99Us <= GENERATOR_LIMITS.schedulingLagShare * p99) continue;
    const share = p99 > 0 ? `${Math.round((lag.p99Us / p99) * 100)}%` : 'all';
    warnings.push(
      `generator bottleneck: scheduling lag p99 ${lag.p99Us} µs is ${share} of ${op.name}'s corrected p99 ${p99} µs (limit ${GENERATOR_LIMITS.schedulingLagShare * 100}%); the harness, not the store, sets that tail`,
    );
  }
  return warnings;
}

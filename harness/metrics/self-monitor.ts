// The harness watches itself: event-loop delay and CPU share of this process during the measure
// phase. High figures mean the generator, not the store, may have set the pace.
import { monitorEventLoopDelay } from 'node:perf_hooks';

export interface SelfMonitorReading {
  eventLoopDelayP99Ms: number;
  eventLoopDelayMaxMs: number;
  /** CPU time of this process (user + system) / wall time; 1 = one core fully busy. */
  cpuShare: number;
}

export interface SelfMonitor {
  /** Forget what was seen so far (called when the measure phase starts). */
  reset(): void;
  stop(): SelfMonitorReading;
}

export function startSelfMonitor(): SelfMonitor {
  const delay = monitorEventLoopDelay({ resolution: 10 });
  delay.enable();
  let cpu = process.cpuUsage();
  let wall = performance.now();
  return {
    reset() {
      delay.reset();
      cpu = process.cpuUsage();
      wall = performance.now();
    },
    stop() {
      delay.disable();
      const used = process.cpuUsage(cpu);
      const elapsedMs = performance.now() - wall;
      // The histogram holds nanoseconds and is empty (NaN percentiles) if nothing was sampled.
      const p99 = delay.count > 0 ? delay.percentile(99) / 1e6 : 0;
      const max = delay.count > 0 ? delay.max / 1e6 : 0;
      return {
        eventLoopDelayP99Ms: p99,
        eventLoopDelayMaxMs: max,
        cpuShare: elapsedMs > 0 ? (used.user + used.system) / 1000 / elapsedMs : 0,
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
export const GENERATOR_LIMITS = { lateStartShare: 0.01, eventLoopDelayP99Ms: 50, cpuShare: 0.9 } as const;

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
  if (reading.cpuShare > GENERATOR_LIMITS.cpuShare) {
    warnings.push(
      `generator bottleneck: the harness process used ${(reading.cpuShare * 100).toFixed(0)}% of a core (limit ${GENERATOR_LIMITS.cpuShare * 100}%); the client, not the store, may set the pace`,
    );
  }
  return warnings;
}

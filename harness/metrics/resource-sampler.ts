// The harness process's own resources, sampled each second of the measure phase: heap, RSS, open
// sockets (every store connection is one, so a leaking pool shows here) and file descriptors. A soak
// run (`--duration 30m`) stays flat; a leak is a slope, which a budget can gate (`rssSlopeMbPerMin`).
import { readdirSync } from 'node:fs';
import type { ResourcePoint } from '../results/schema.ts';

/** Fewer samples than this give no slope: JIT warm-up and pool growth dominate a short run. */
export const MIN_SLOPE_SAMPLES = 30;

const MB = 1024 * 1024;

/** Open file descriptors of this process (Linux /proc), or undefined where the kernel does not say. */
function openFds(): number | undefined {
  try {
    return readdirSync('/proc/self/fd').length;
  } catch {
    return undefined;
  }
}

/** Connected sockets of this process: TCP, TLS and Unix (pipe) connections, not listening servers. */
function openSockets(): number {
  return process
    .getActiveResourcesInfo()
    .filter((type) => type === 'TCPSocketWrap' || type === 'TLSWrap' || type === 'PipeWrap').length;
}

export function sampleResources(t: number): ResourcePoint {
  const memory = process.memoryUsage();
  const fds = openFds();
  return {
    t: Math.round(t * 1000) / 1000,
    heapUsedMb: Math.round((memory.heapUsed / MB) * 100) / 100,
    rssMb: Math.round((memory.rss / MB) * 100) / 100,
    sockets: openSockets(),
    ...(fds === undefined ? {} : { fds }),
  };
}

export interface ResourceSampler {
  /** Stops sampling; returns the samples (one more taken now, so a short phase has its end). */
  stop(): ResourcePoint[];
}

export function startResourceSampler(intervalMs = 1_000): ResourceSampler {
  const began = performance.now();
  const points: ResourcePoint[] = [sampleResources(0)];
  const take = () => points.push(sampleResources((performance.now() - began) / 1000));
  const timer = setInterval(take, intervalMs);
  // Sampling must never keep a finished run alive.
  timer.unref();
  return {
    stop() {
      clearInterval(timer);
      take();
      return points;
    },
  };
}

/** Least-squares slope of `value` over `t` (seconds), per minute; undefined with fewer than `minSamples`. */
export function slopePerMinute<P extends { readonly t: number }>(
  points: readonly P[],
  value: (point: P) => number | undefined,
  minSamples = MIN_SLOPE_SAMPLES,
): number | undefined {
  const pairs: [number, number][] = [];
  for (const point of points) {
    const y = value(point);
    if (y !== undefined && Number.isFinite(y)) pairs.push([point.t, y]);
  }
  if (pairs.length < Math.max(2, minSamples)) return undefined;
  const n = pairs.length;
  const meanT = pairs.reduce((sum, [t]) => sum + t, 0) / n;
  const meanY = pairs.reduce((sum, [, y]) => sum + y, 0) / n;
  let sxy = 0;
  let sxx = 0;
  for (const [t, y] of pairs) {
    sxy += (t - meanT) * (y - meanY);
    sxx += (t - meanT) ** 2;
  }
  return sxx === 0 ? undefined : (sxy / sxx) * 60;
}

/**
 * The slope metrics a budget reads (only those with enough samples); `p99SlopeUsPerMin` is the
 * steepest among the operations' per-second p99 series (seconds without completions left out).
 */
export function resourceSlopes(
  points: readonly ResourcePoint[],
  operations: readonly { readonly series: readonly { t: number; ops: number; p99Us: number }[] }[] = [],
): Record<string, number> {
  const p99Slopes = operations
    .map((op) => slopePerMinute(op.series, (s) => (s.ops > 0 ? s.p99Us : undefined)))
    .filter((slope): slope is number => slope !== undefined);
  const slopes: Record<string, number | undefined> = {
    rssSlopeMbPerMin: slopePerMinute(points, (p) => p.rssMb),
    heapSlopeMbPerMin: slopePerMinute(points, (p) => p.heapUsedMb),
    socketsSlopePerMin: slopePerMinute(points, (p) => p.sockets),
    fdsSlopePerMin: slopePerMinute(points, (p) => p.fds),
    p99SlopeUsPerMin: p99Slopes.length > 0 ? Math.max(...p99Slopes) : undefined,
  };
  return Object.fromEntries(
    Object.entries(slopes).filter((entry): entry is [string, number] => entry[1] !== undefined),
  );
}

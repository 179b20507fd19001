// Warmup until stable, not for a fixed time: a JIT-compiled server (Elasticsearch) or a cold cache
// must not decide a verdict. The warmup runs in windows (1 s by default) and ends when the p50s of
// the last few windows lie within a tolerance of their median, or when its cap runs out; the runner
// records how long it took and flags a result whose warmup hit the cap.
import { median } from 'simple-statistics';
import { z } from 'zod';
import { phaseWindow, runPhase, type Executor } from './executors/phase.ts';

export const stableWarmupSchema = z
  .object({
    /** The longest warmup: past it the measure phase starts anyway, and the result says so. */
    capMs: z.number().int().positive(),
    windowMs: z.number().int().positive().default(1_000),
    /** How far a window's p50 may lie from the median of the last `windows` (0.1 = ±10 %). */
    tolerance: z.number().positive().max(1).default(0.1),
    windows: z.number().int().min(2).max(20).default(3),
  })
  .strict();
export type StableWarmupInput = z.input<typeof stableWarmupSchema>;
export type StableWarmup = z.output<typeof stableWarmupSchema>;

export const DEFAULT_STABLE_CAP_MS = 60_000;

export interface WarmupOutcome {
  readonly ms: number;
  /** false: the cap ran out first (or the run was stopped). */
  readonly settled: boolean;
  /** Each window's p50 in ms (NaN for a window in which no operation completed). */
  readonly p50sMs: readonly number[];
  /** Warmup operations still running after a window's drain timeout (they ran on). */
  readonly stuck: number;
}

/** Whether the last `windows` p50s are all within `tolerance` of their median. */
export function hasSettled(p50sMs: readonly number[], windows: number, tolerance: number): boolean {
  if (p50sMs.length < windows) return false;
  const last = p50sMs.slice(-windows);
  if (last.some((p) => !Number.isFinite(p))) return false;
  const mid = median(last);
  return last.every((p) => Math.abs(p - mid) <= tolerance * mid);
}

/** Run `executor` unrecorded, window by window, until the p50 settles or the cap runs out. */
export async function warmUntilStable(
  executor: Executor,
  settings: StableWarmup,
  drainTimeoutMs: number,
  stopped: () => boolean,
): Promise<WarmupOutcome> {
  const startedMs = performance.now();
  const p50sMs: number[] = [];
  let stuck = 0;
  for (;;) {
    const latencies: number[] = [];
    const window = {
      ...phaseWindow(false, performance.now(), settings.windowMs),
      onLatency: (ms: number) => void latencies.push(ms),
    };
    if (!(await runPhase(executor, window, drainTimeoutMs))) stuck += window.inFlight;
    p50sMs.push(latencies.length > 0 ? median(latencies) : Number.NaN);
    const ms = Math.round(performance.now() - startedMs);
    if (hasSettled(p50sMs, settings.windows, settings.tolerance)) return { ms, settled: true, p50sMs, stuck };
    if (stopped() || ms >= settings.capMs) return { ms, settled: false, p50sMs, stuck };
  }
}

/** `stable` or `stable:CAP` (a duration) from --warmup; undefined for anything else (a plain duration). */
export function parseStableWarmup(
  value: string,
  parseDuration: (text: string) => number,
  fail: (message: string) => Error,
): StableWarmup | undefined {
  const match = /^stable(?::(.*))?$/.exec(value.trim());
  if (!match) return undefined;
  const capMs = match[1] === undefined ? DEFAULT_STABLE_CAP_MS : parseDuration(match[1]);
  const parsed = stableWarmupSchema.safeParse({ capMs });
  if (!parsed.success) throw fail(`"${value}": the cap must be a duration of at least 1 ms, e.g. stable:30s`);
  return parsed.data;
}

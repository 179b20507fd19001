// A path's verdict: the median of its per-round ratios with a bootstrap interval over rounds. It is
// "over" only when the whole interval lies above the target, so `--check` gates a real regression
// without flapping on a noisy machine; an interval that straddles the target is "unclear".
import { bootstrapCi, type Interval } from '../../stats/bootstrap.ts';
import { DEFAULT_MAX_RATIO } from './path.ts';
import type { PathSamples } from './rounds.ts';
import { median } from './bench-row.ts';

export type PathStatus = 'within' | 'unclear' | 'over';

export interface PathVerdict {
  readonly id: string;
  readonly title: string;
  readonly store: string;
  readonly maxRatio: number;
  readonly rounds: number;
  readonly dalMedianUs: number;
  readonly rawMedianUs: number;
  /** dal / raw, median over rounds. */
  readonly ratio: number;
  /** Present when the path declares an extra guarantee: its cost, how it is combined, and the judged ratio. */
  readonly guarantee?: {
    readonly title: string;
    readonly medianUs: number;
    /** How it enters the judged ratio (see ExtraGuarantee.combine). */
    readonly combine: 'subtract' | 'add';
    /** How its cost was timed (see ExtraGuarantee.timed). */
    readonly timed: 'after-raw' | 'inline';
    readonly netRatio: number;
  };
  /** The judged ratio (net of a declared guarantee, or against raw + it; else gross) and its interval. */
  readonly judged: number;
  readonly interval: Interval;
  readonly status: PathStatus;
  readonly note: string;
}

export interface VerdictOptions {
  readonly seed: number;
  /** Two-sided confidence of the interval (default 0.90: "over" then means ≥ 95 % one-sided). */
  readonly confidence?: number;
}

export function judgePath(samples: PathSamples, options: VerdictOptions): PathVerdict {
  const { path, dalUs, rawUs, guaranteeUs } = samples;
  const rounds = Math.min(dalUs.length, rawUs.length);
  if (rounds < 2) throw new Error(`bench path ${path.id}: ${rounds} round(s) measured, need ≥ 2`);
  const maxRatio = path.maxRatio ?? DEFAULT_MAX_RATIO;
  const gross = perRound(rounds, (i) => dalUs[i]! / rawUs[i]!);
  const combine = path.guarantee?.combine ?? 'subtract';
  const net = path.guarantee
    ? perRound(rounds, (i) =>
        combine === 'add'
          ? dalUs[i]! / (rawUs[i]! + (guaranteeUs[i] ?? 0))
          : (dalUs[i]! - (guaranteeUs[i] ?? 0)) / rawUs[i]!,
      )
    : undefined;
  const judgedRounds = net ?? gross;
  const interval = bootstrapCi(judgedRounds, {
    seed: options.seed,
    confidence: options.confidence ?? 0.9,
  }) as Interval;
  const judged = median(judgedRounds);
  return {
    id: path.id,
    title: path.title,
    store: path.store,
    maxRatio,
    rounds,
    dalMedianUs: median(dalUs),
    rawMedianUs: median(rawUs),
    ratio: median(gross),
    ...(path.guarantee && net
      ? {
          guarantee: {
            title: path.guarantee.title,
            medianUs: median(guaranteeUs),
            combine,
            timed: path.guarantee.timed ?? 'after-raw',
            netRatio: judged,
          },
        }
      : {}),
    judged,
    interval,
    status: interval[0] > maxRatio ? 'over' : interval[1] <= maxRatio ? 'within' : 'unclear',
    note: path.note,
  };
}

/** `--check`: 1 when any path is over its target with confidence, else 0. */
export function checkExitCode(verdicts: readonly PathVerdict[]): 0 | 1 {
  return verdicts.some((v) => v.status === 'over') ? 1 : 0;
}

function perRound(rounds: number, ratio: (i: number) => number): number[] {
  return Array.from({ length: rounds }, (_, i) => ratio(i)).filter(Number.isFinite);
}

// Where a metric's spread comes from, on the log scale (ratios are what matter for latency and
// throughput). A run's value varies by its own sampling error (the within-run interval, when its
// per-second series allows one), by a repeat effect inside one invocation, and by an invocation
// effect that every repeat of one `dalbench run` shares: its stores, data load and machine state.
// Repeats inside one invocation cannot see the last part, so a comparison of two invocations needs it
// from a calibration over separate invocations or from several invocations per side.
import type { WithinRunSpread } from './block-bootstrap.ts';
import { uncertaintyOf, type VarianceTerm } from './satterthwaite.ts';

export interface RunValue {
  value: number;
  within?: WithinRunSpread;
  /** Why the run has no within-run interval (e.g. "no per-second p50 in the series"). */
  withinMissing?: string;
}

/** The runs of one metric in one invocation (one `dalbench run`, identified by its run id). */
export interface Invocation {
  id: string;
  runs: readonly RunValue[];
}

/** What a calibration measured: repeats inside one invocation, or separate invocations. */
export type SpreadKind = 'within-invocation' | 'between-invocations';

export interface CalibratedSpread {
  kind: SpreadKind;
  invocations: number;
  runs: number;
  /** One run's variance around its invocation's mean, beyond its own within-run interval when every run had one. */
  repeat?: VarianceTerm;
  /**
   * The invocation effect's variance, beyond its runs' spread. When `repeat` is unknown (one run per
   * invocation) it includes the repeat effect.
   */
  between?: VarianceTerm;
  /** Mean within-run variance of the calibration's runs, present when every run had one. */
  sampling?: number;
}

export function positiveLogs(runs: readonly RunValue[]): number[] {
  return runs.filter((r) => r.value > 0).map((r) => Math.log(r.value));
}

function meanOf(values: readonly number[]): number {
  return values.reduce((a, b) => a + b, 0) / values.length;
}

/**
 * Variance components from runs grouped by invocation (one-way random effects, moment estimates
 * truncated at 0, each with the uncertainty of the difference of mean squares it comes from): the
 * repeat part from invocations with ≥ 2 runs, the invocation part from ≥ 2 invocations. A run without
 * a positive value is left out (no log).
 */
export function estimateSpread(invocations: readonly Invocation[], kind: SpreadKind): CalibratedSpread {
  const groups = invocations
    .map((inv) => ({ runs: inv.runs.filter((r) => r.value > 0) }))
    .filter((g) => g.runs.length > 0);
  const allRuns = groups.flatMap((g) => g.runs);
  const samplingKnown = allRuns.length > 0 && allRuns.every((r) => r.within !== undefined);
  const samplingOf = (runs: readonly RunValue[]) =>
    samplingKnown ? meanOf(runs.map((r) => r.within!.variance)) : 0;
  const sampling = samplingKnown ? samplingOf(allRuns) : undefined;
  // The mean of the runs' bootstrap variances, credited with their blocks as degrees of freedom.
  const samplingDf = samplingKnown ? allRuns.reduce((acc, r) => acc + r.within!.df, 0) : Infinity;
  const samplingUncertainty = sampling === undefined ? 0 : sampling ** 2 / samplingDf;

  let repeat: VarianceTerm | undefined;
  const replicated = groups.filter((g) => g.runs.length >= 2);
  if (replicated.length > 0) {
    let squares = 0;
    let df = 0;
    for (const g of replicated) {
      const logs = positiveLogs(g.runs);
      const m = meanOf(logs);
      squares += logs.reduce((acc, y) => acc + (y - m) ** 2, 0);
      df += logs.length - 1;
    }
    const meanSquare = squares / df;
    repeat = {
      variance: Math.max(0, meanSquare - (sampling ?? 0)),
      df,
      uncertainty: meanSquare ** 2 / df + samplingUncertainty,
    };
  }

  let between: VarianceTerm | undefined;
  if (groups.length >= 2) {
    const means = groups.map((g) => meanOf(positiveLogs(g.runs)));
    const grand = meanOf(means);
    const meanSquare = means.reduce((acc, m) => acc + (m - grand) ** 2, 0) / (means.length - 1);
    // What the runs alone put into an invocation's mean; the rest is the invocation effect.
    const perRun = meanOf(groups.map((g) => 1 / g.runs.length));
    const fromRuns = meanOf(
      groups.map((g) => ((repeat?.variance ?? 0) + samplingOf(g.runs)) / g.runs.length),
    );
    const fromRunsUncertainty = perRun ** 2 * ((repeat ? uncertaintyOf(repeat) : 0) + samplingUncertainty);
    between = {
      variance: Math.max(0, meanSquare - fromRuns),
      df: groups.length - 1,
      uncertainty: meanSquare ** 2 / (groups.length - 1) + fromRunsUncertainty,
    };
  }
  return {
    kind,
    invocations: groups.length,
    runs: allRuns.length,
    ...(repeat ? { repeat } : {}),
    ...(between ? { between } : {}),
    ...(sampling === undefined ? {} : { sampling }),
  };
}

// A variance built from independently estimated parts (each side's repeats, a within-run interval, a
// calibrated spread), each with its own degrees of freedom: Welch–Satterthwaite gives the degrees of
// freedom of the sum, so a part estimated from 3 invocations widens the interval as it should.

export interface VarianceTerm {
  variance: number;
  /** Degrees of freedom of the estimate (Infinity for a known variance); weights pooling. */
  df: number;
  /**
   * variance² / df when that is not implied by the two fields: a variance component estimated as a
   * difference of mean squares and truncated at 0 keeps its uncertainty even when its estimate is 0.
   */
  uncertainty?: number;
}

export function uncertaintyOf(term: VarianceTerm): number {
  if (term.uncertainty !== undefined) return term.uncertainty;
  return Number.isFinite(term.df) && term.df > 0 ? term.variance ** 2 / term.df : 0;
}

/** c × the estimate: its variance scales by c, its uncertainty by c². */
export function scaleTerm(term: VarianceTerm, c: number): VarianceTerm {
  return { variance: term.variance * c, df: term.df, uncertainty: uncertaintyOf(term) * c * c };
}

/** The sum of independent estimates, with Welch–Satterthwaite degrees of freedom. */
export function satterthwaite(terms: readonly VarianceTerm[]): { variance: number; df: number } {
  const variance = terms.reduce((sum, t) => sum + t.variance, 0);
  const denominator = terms.reduce((sum, t) => sum + uncertaintyOf(t), 0);
  if (variance <= 0) {
    const dfs = terms.map((t) => t.df).filter((df) => df > 0);
    return { variance: 0, df: dfs.length ? Math.min(...dfs) : 1 };
  }
  return { variance, df: denominator === 0 ? Number.POSITIVE_INFINITY : variance ** 2 / denominator };
}

/** Estimates of one variance from several sources, pooled by their degrees of freedom. */
export function poolVariances(terms: readonly VarianceTerm[]): VarianceTerm | undefined {
  const usable = terms.filter((t) => t.df > 0 && Number.isFinite(t.df));
  if (usable.length === 0) return undefined;
  const df = usable.reduce((sum, t) => sum + t.df, 0);
  return {
    variance: usable.reduce((sum, t) => sum + (t.df / df) * t.variance, 0),
    df,
    uncertainty: usable.reduce((sum, t) => sum + (t.df / df) ** 2 * uncertaintyOf(t), 0),
  };
}

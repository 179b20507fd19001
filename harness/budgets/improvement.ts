// A relative budget: % improvement of a profile over its baseline in the same run, with a bootstrap CI
// over repeats. With noise.json, a shortfall inside the measured run-to-run noise band is inconclusive
// — the data cannot tell it from noise — never a pass; a too-noisy metric is not gated.
import { median } from 'simple-statistics';
import type { Verdict } from '../results/schema.ts';
import { bootstrapTwoSampleCi } from '../stats/bootstrap.ts';
import { noiseLookup, type NoiseFile } from '../stats/noise.ts';
import { compare, notEvaluated, tooFewForConfidence, verdictFrom, withUnit, type Judged } from './judge.ts';
import type { Budget } from './schema.ts';

/** Improvement in %: latency (b − c)/b, throughput (c − b)/b. */
export function improvementPct(stat: string, base: number, candidate: number): number {
  if (base === 0) return 0;
  return stat === 'throughput' ? ((candidate - base) / base) * 100 : ((base - candidate) / base) * 100;
}

export interface ImprovementInstance {
  scenario: string;
  profile: string;
  baseline: string;
  operation: string;
  /** Noise is calibrated per driver: dal and http measure different things. */
  driver?: 'dal' | 'http';
}

export function improvementVerdict(
  budget: Budget,
  label: string,
  instance: ImprovementInstance,
  base: readonly number[],
  cand: readonly number[],
  ctx: { seed: number; noise: NoiseFile | undefined },
): Verdict {
  if (budget.metric.kind !== 'improvement')
    throw new TypeError('improvementVerdict needs an improvement budget');
  const stat = budget.metric.stat;
  const n = Math.min(base.length, cand.length);
  const tooFew = tooFewForConfidence(budget, n);
  if (tooFew) return notEvaluated(budget, label, tooFew);
  const measured = improvementPct(stat, median([...base]), median([...cand]));
  const ci = bootstrapTwoSampleCi([...base], [...cand], (b, c) => improvementPct(stat, b, c), {
    seed: ctx.seed,
    confidence: budget.confidence ?? 0.95,
  });
  const onBound = budget.confidence !== undefined && ci !== undefined;
  const judgedValue = onBound && ci ? (budget.op.startsWith('<') ? ci[1] : ci[0]) : measured;
  const judged: Judged = { measured, ci, onBound, pass: compare(judgedValue, budget.op, budget.limit) };
  const lookup = noiseLookup(ctx.noise);
  const metricName = `${instance.operation}.${stat}`;
  const noiseCand = lookup(instance.scenario, instance.profile, metricName, instance.driver);
  const noiseBase = lookup(instance.scenario, instance.baseline, metricName, instance.driver);
  if (ctx.noise && (noiseCand?.tooNoisy || noiseBase?.tooNoisy)) {
    const cv = Math.max(noiseCand?.cv ?? 0, noiseBase?.cv ?? 0);
    return notEvaluated(
      budget,
      label,
      `too noisy to gate: ${metricName} run-to-run CV ${(cv * 100).toFixed(1)}% > ${(ctx.noise.maxCv * 100).toFixed(0)}% (noise.json)`,
    );
  }
  const verdict = verdictFrom(
    budget,
    label,
    judged,
    n,
    `${instance.profile} vs ${instance.baseline}, ${metricName}`,
  );
  if (judged.pass || !noiseCand || !noiseBase) return verdict;
  // ≈95 % band of the improvement (percentage points) from both sides' run-to-run CV.
  const ratio = median([...cand]) / (median([...base]) || 1);
  const band = 196 * ratio * Math.sqrt(noiseCand.cv ** 2 / cand.length + noiseBase.cv ** 2 / base.length);
  const shortfall = Math.abs(measured - budget.limit);
  if (shortfall > band) return verdict;
  const { confirmation: _unused, ...rest } = verdict;
  return {
    ...rest,
    status: 'inconclusive',
    message: `INCONCLUSIVE (within noise): measured ${withUnit(measured, '%')} misses ${budget.op} ${withUnit(budget.limit, '%')} by ${shortfall.toFixed(1)} pp, inside the measured noise band ±${band.toFixed(1)} pp; more repeats (or --confirm K) can decide`,
  };
}

// evaluateBudgets(results, set) → one verdict per budget instance (a wildcard budget expands to one per
// matching scenario × profile × operation). Reads only results.json. A budget selecting nothing, or naming
// a metric no selected scenario reports, throws BudgetSelectionError (exit 2); a budget over a scenario
// that errored, was skipped or is incomplete yields a not-evaluated verdict — never a pass.
import { median } from 'simple-statistics';
import type { Results, ScenarioResult, Verdict } from '../report/results-schema.ts';
import { bootstrapTwoSampleCi } from '../stats/bootstrap.ts';
import { noiseLookup, type NoiseFile } from '../stats/noise.ts';
import { latencyStat, type LatencyStat } from '../stats/samples.ts';
import { BudgetSelectionError } from './errors.ts';
import { compare, judgeSamples, notEvaluated, verdictFrom, withUnit, type Judged } from './judge.ts';
import type { Budget, BudgetSet, MetricRef } from './schema.ts';
import { isWildcard, matcher, unique } from './select.ts';

export interface EvaluateOptions {
  /** Seed of the bootstrap resampling (default: the run's seed), so verdicts are reproducible. */
  seed?: number;
  /** noise.json: relative budgets call a shortfall real only beyond the measured run-to-run noise. */
  noise?: NoiseFile;
}

export interface BudgetInstance {
  scenario: string;
  profile: string;
  operation?: string;
  baseline?: string;
}

export interface BudgetOutcome {
  budget: Budget;
  instance: BudgetInstance;
  verdict: Verdict;
}

export function evaluateBudgets(results: Results, set: BudgetSet, options: EvaluateOptions = {}): Verdict[] {
  return evaluateBudgetOutcomes(results, set, options).map((o) => o.verdict);
}

export function evaluateBudgetOutcomes(
  results: Results,
  set: BudgetSet,
  options: EvaluateOptions = {},
): BudgetOutcome[] {
  const baseSeed = options.seed ?? results.run.seed;
  return set.budgets.flatMap((budget, index) =>
    evaluateOne(results, budget, set.source, { seed: baseSeed + index * 7919, noise: options.noise }),
  );
}

interface Context {
  seed: number;
  noise: NoiseFile | undefined;
}

function evaluateOne(results: Results, budget: Budget, source: string, ctx: Context): BudgetOutcome[] {
  const metric = budget.metric;
  const fail = (problem: string) => new BudgetSelectionError(budget.text, source, problem);
  const scenarioNames = unique(results.scenarios.map((s) => s.scenario));
  const scenarios = scenarioNames.filter(matcher(metric.scenario));
  if (scenarios.length === 0) {
    throw fail(
      `selects nothing: no scenario matches "${metric.scenario}" (results have: ${scenarioNames.join(', ') || 'none'})`,
    );
  }
  const runsOf = (scenario: string, profile: string) =>
    results.scenarios.filter((s) => s.scenario === scenario && s.profile === profile);
  const profilesOf = (scenario: string) =>
    unique(results.scenarios.filter((s) => s.scenario === scenario).map((s) => s.profile));
  const wildcard = [
    metric.scenario,
    metric.profile,
    'operation' in metric ? metric.operation : '',
    'baseline' in metric ? metric.baseline : '',
  ].some(isWildcard);
  const label = (instance: BudgetInstance) =>
    wildcard
      ? `${budget.text} [${[instance.scenario, instance.baseline ? `${instance.profile} vs ${instance.baseline}` : instance.profile, instance.operation].filter(Boolean).join(' / ')}]`
      : budget.text;
  const outcomes: BudgetOutcome[] = [];
  const push = (instance: BudgetInstance, verdict: Verdict) => outcomes.push({ budget, instance, verdict });
  const broken = (runs: ScenarioResult[]) => runs.filter((r) => r.status !== 'completed');
  const brokenReason = (runs: ScenarioResult[]) =>
    runs
      .map((r) => `${r.scenario}/${r.profile}#${r.repeat} ${r.status}${r.reason ? ` (${r.reason})` : ''}`)
      .join('; ');
  let anyProfile = false;
  let seedOffset = 0;
  const nextSeed = () => ctx.seed + seedOffset++;

  for (const scenario of scenarios) {
    const profiles = profilesOf(scenario);
    const candidates = profiles.filter(matcher(metric.profile));
    if (metric.kind === 'improvement') {
      const baselines = profiles.filter(matcher(metric.baseline));
      for (const profile of candidates) {
        for (const baseline of baselines) {
          if (profile === baseline) continue;
          anyProfile = true;
          const candRuns = runsOf(scenario, profile);
          const baseRuns = runsOf(scenario, baseline);
          const bad = broken([...candRuns, ...baseRuns]);
          if (bad.length > 0) {
            const instance = { scenario, profile, baseline };
            push(instance, notEvaluated(budget, label(instance), brokenReason(bad)));
            continue;
          }
          const operations = unique(candRuns.flatMap((r) => r.operations.map((o) => o.name))).filter(
            matcher(metric.operation),
          );
          for (const operation of operations) {
            const empty = emptyOperation([...candRuns, ...baseRuns], operation);
            if (empty) {
              const instance = { scenario, profile, operation, baseline };
              push(instance, notEvaluated(budget, label(instance), empty));
              continue;
            }
            const cand = operationValues(candRuns, operation, metric.stat);
            const base = operationValues(baseRuns, operation, metric.stat);
            if (cand.length === 0 || base.length === 0) continue;
            const instance = { scenario, profile, operation, baseline };
            push(
              instance,
              improvementVerdict(budget, label(instance), instance, base, cand, { ...ctx, seed: nextSeed() }),
            );
          }
        }
      }
      continue;
    }
    for (const profile of candidates) {
      anyProfile = true;
      const runs = runsOf(scenario, profile);
      const bad = broken(runs);
      if (bad.length > 0) {
        const instance = { scenario, profile };
        push(instance, notEvaluated(budget, label(instance), brokenReason(bad)));
        continue;
      }
      if (metric.kind === 'latency' || metric.kind === 'throughput') {
        const operations = unique(runs.flatMap((r) => r.operations.map((o) => o.name))).filter(
          matcher(metric.operation),
        );
        for (const operation of operations) {
          const empty = emptyOperation(runs, operation);
          if (empty) {
            const instance = { scenario, profile, operation };
            push(instance, notEvaluated(budget, label(instance), empty));
            continue;
          }
          const samples = operationValues(
            runs,
            operation,
            metric.kind === 'latency' ? metric.stat : 'throughput',
          );
          const scale = metric.kind === 'latency' ? 1 / 1000 : 1; // µs → ms
          const instance = { scenario, profile, operation };
          const judged = judgeSamples(
            budget,
            samples.map((v) => v * scale),
            nextSeed(),
          );
          push(instance, verdictFrom(budget, label(instance), judged, samples.length));
        }
      } else {
        const samples = runs.map((r) => scalarOf(r, metric)).filter((v): v is number => v !== undefined);
        if (samples.length === 0) continue;
        const instance = { scenario, profile };
        push(
          instance,
          verdictFrom(budget, label(instance), judgeSamples(budget, samples, nextSeed()), samples.length),
        );
      }
    }
  }
  if (!anyProfile) {
    const wanted =
      metric.kind === 'improvement' ? `"${metric.profile}" vs "${metric.baseline}"` : `"${metric.profile}"`;
    throw fail(
      `selects nothing: no profile matches ${wanted} in ${scenarios.join(', ')} (profiles: ${unique(scenarios.flatMap(profilesOf)).join(', ')})`,
    );
  }
  if (outcomes.length === 0) throw fail(`selects nothing: ${describeMissing(metric, scenarios, results)}`);
  return outcomes;
}

/** A latency or throughput of zero successful operations is no measurement: say which run had none. */
function emptyOperation(runs: readonly ScenarioResult[], operation: string): string | undefined {
  const empty = runs.filter((run) => run.operations.some((o) => o.name === operation && o.count === 0));
  if (empty.length === 0) return undefined;
  return empty
    .map((run) => {
      const op = run.operations.find((o) => o.name === operation);
      const errors = Object.entries(op?.errors ?? {})
        .map(([name, n]) => `${name} ×${n}`)
        .join(', ');
      return `${run.scenario}/${run.profile}#${run.repeat}: no successful ${operation} operation${errors ? ` (errors: ${errors})` : ''}`;
    })
    .join('; ');
}

function operationValues(
  runs: ScenarioResult[],
  operation: string,
  stat: LatencyStat | 'throughput',
): number[] {
  return runs.flatMap((run) => {
    const op = run.operations.find((o) => o.name === operation);
    if (!op) return [];
    return [stat === 'throughput' ? op.throughput : latencyStat(op.latency, stat)];
  });
}

function scalarOf(run: ScenarioResult, metric: MetricRef): number | undefined {
  if (metric.kind === 'distribution') {
    const h = run.distributions[metric.name];
    return h && h.count > 0 ? latencyStat(h, metric.stat) / 1000 : undefined;
  }
  if (metric.kind !== 'value') return undefined;
  const reported = run.metrics[metric.name] ?? run.counters[metric.name];
  if (reported !== undefined) return reported;
  if (metric.name === 'errorRate' && run.operations.length > 0) {
    // count is successful operations; errors are counted separately by class.
    const errors = run.operations.reduce(
      (sum, op) => sum + Object.values(op.errors).reduce((a, b) => a + b, 0),
      0,
    );
    const total = run.operations.reduce((sum, op) => sum + op.count, 0) + errors;
    return total === 0 ? undefined : errors / total;
  }
  return undefined;
}

function describeMissing(metric: MetricRef, scenarios: string[], results: Results): string {
  const runs = results.scenarios.filter((s) => scenarios.includes(s.scenario));
  switch (metric.kind) {
    case 'latency':
    case 'throughput':
    case 'improvement':
      return `no operation matches "${metric.operation}" in ${scenarios.join(', ')} (operations: ${unique(runs.flatMap((r) => r.operations.map((o) => o.name))).join(', ') || 'none'})`;
    case 'distribution':
      return `unknown distribution "${metric.name}" in ${scenarios.join(', ')} (distributions: ${unique(runs.flatMap((r) => Object.keys(r.distributions))).join(', ') || 'none'})`;
    case 'value':
      return `unknown metric "${metric.name}" in ${scenarios.join(', ')} (metrics: ${unique(runs.flatMap((r) => [...Object.keys(r.metrics), ...Object.keys(r.counters)])).join(', ') || 'none'})`;
  }
}

/** Improvement in %: latency (b − c)/b, throughput (c − b)/b. */
export function improvementPct(stat: string, base: number, candidate: number): number {
  if (base === 0) return 0;
  return stat === 'throughput' ? ((candidate - base) / base) * 100 : ((base - candidate) / base) * 100;
}

function improvementVerdict(
  budget: Budget,
  label: string,
  instance: Required<Omit<BudgetInstance, 'operation'>> & { operation: string },
  base: number[],
  cand: number[],
  ctx: Context,
): Verdict {
  if (budget.metric.kind !== 'improvement')
    throw new TypeError('improvementVerdict needs an improvement budget');
  const stat = budget.metric.stat;
  const measured = improvementPct(stat, median(base), median(cand));
  const ci = bootstrapTwoSampleCi(base, cand, (b, c) => improvementPct(stat, b, c), {
    seed: ctx.seed,
    confidence: budget.confidence ?? 0.95,
  });
  const judged: Judged = {
    measured,
    ci,
    onBound: budget.confidence !== undefined && ci !== undefined,
    pass: false,
  };
  const judgedValue = judged.onBound && ci ? (budget.op.startsWith('<') ? ci[1] : ci[0]) : measured;
  judged.pass = compare(judgedValue, budget.op, budget.limit);
  const n = Math.min(base.length, cand.length);
  const lookup = noiseLookup(ctx.noise);
  const metricName = `${instance.operation}.${stat}`;
  const noiseCand = lookup(instance.scenario, instance.profile, metricName);
  const noiseBase = lookup(instance.scenario, instance.baseline, metricName);
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
  if (!judged.pass && noiseCand && noiseBase) {
    // ≈95 % band of the improvement (percentage points) from both sides' run-to-run CV.
    const ratio = median(cand) / (median(base) || 1);
    const band = 196 * ratio * Math.sqrt(noiseCand.cv ** 2 / cand.length + noiseBase.cv ** 2 / base.length);
    const shortfall = Math.abs(measured - budget.limit);
    if (shortfall <= band) {
      return {
        ...verdict,
        status: 'pass',
        confirmation: 'not-confirmed',
        message: `NOT CONFIRMED (within noise): measured ${withUnit(measured, '%')} misses ${budget.op} ${withUnit(budget.limit, '%')} by ${shortfall.toFixed(1)} pp, inside the measured noise band ±${band.toFixed(1)} pp`,
      };
    }
  }
  return verdict;
}

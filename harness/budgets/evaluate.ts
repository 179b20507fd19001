// evaluateBudgets(results, set) → one verdict per budget instance (a wildcard budget expands to one per
// matching scenario × profile × operation; a run with both drivers judges each driver on its own).
// Reads only results.json. A budget selecting nothing, or naming a metric no selected scenario reports,
// throws BudgetSelectionError (exit 2); a budget over a scenario that errored, was skipped or is
// incomplete, over an operation with too many errors, or "at N% confidence" over one sample yields a
// not-evaluated verdict — never a pass. Given the run's selection, a budget over what the run did not
// select is "not in this run".
import type { Results, ScenarioResult, Verdict } from '../results/schema.ts';
import { measuredOnFromWarnings } from '../results/measured-on.ts';
import type { NoiseFile } from '../stats/noise.ts';
import { latencyStat, type LatencyStat } from '../stats/samples.ts';
import { BudgetSelectionError } from './errors.ts';
import { improvementVerdict } from './improvement.ts';
import { notInRunReason, otherSizeReason, type RunSelection } from './in-run.ts';
import { judgeSamples, notEvaluated, notInRun, tooFewForConfidence, verdictFrom } from './judge.ts';
import { emptyOperation, excessErrorShare } from './operation-checks.ts';
import { DEFAULT_MAX_ERROR_SHARE, type Budget, type BudgetSet, type MetricRef } from './schema.ts';
import { isWildcard, matcher, scenarioMatcher, unique } from './select.ts';

export interface EvaluateOptions {
  /** Seed of the bootstrap resampling (default: the run's seed), so verdicts are reproducible. */
  seed?: number;
  /** noise.json: relative budgets call a shortfall real only beyond the measured run-to-run noise. */
  noise?: NoiseFile;
  /** Error-share limit of operation-level budgets, over the budget's and the set's own (0–1). */
  maxErrorShare?: number;
  /** What the run selected (`selectionOf`): budgets outside it are "not in this run". */
  selection?: RunSelection;
}

export interface BudgetInstance {
  scenario: string;
  profile: string;
  operation?: string;
  baseline?: string;
  driver?: 'dal' | 'http';
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
    evaluateOne(results, budget, set.source, {
      seed: baseSeed + index * 7919,
      noise: options.noise,
      maxErrorShare:
        options.maxErrorShare ?? budget.maxErrorShare ?? set.maxErrorShare ?? DEFAULT_MAX_ERROR_SHARE,
      selection: options.selection,
    }),
  );
}

interface Context {
  seed: number;
  noise: NoiseFile | undefined;
  maxErrorShare: number;
  selection: RunSelection | undefined;
}

function evaluateOne(results: Results, budget: Budget, source: string, ctx: Context): BudgetOutcome[] {
  const metric = budget.metric;
  const fail = (problem: string) => new BudgetSelectionError(budget.text, source, problem);
  if (ctx.selection) {
    const outside = notInRunReason(metric, ctx.selection, results);
    if (outside) {
      const instance = { scenario: metric.scenario, profile: metric.profile };
      return [{ budget, instance, verdict: notInRun(budget, budget.text, outside) }];
    }
  }
  const scenarioNames = unique(results.scenarios.map((s) => s.scenario));
  const scenarios = scenarioNames.filter(scenarioMatcher(metric.scenario));
  const otherSize = scenarios.length === 0 ? otherSizeReason(metric.scenario, scenarioNames) : undefined;
  if (otherSize) {
    const instance = { scenario: metric.scenario, profile: metric.profile };
    return [{ budget, instance, verdict: notInRun(budget, budget.text, otherSize) }];
  }
  if (scenarios.length === 0) {
    throw fail(
      `selects nothing: no scenario matches "${metric.scenario}" (results have: ${scenarioNames.join(', ') || 'none'})`,
    );
  }
  const runsOf = (scenario: string, profile: string, driver: string) =>
    results.scenarios.filter((s) => s.scenario === scenario && s.profile === profile && s.driver === driver);
  const profilesOf = (scenario: string) =>
    unique(results.scenarios.filter((s) => s.scenario === scenario).map((s) => s.profile));
  const driversOf = (scenario: string) =>
    unique(results.scenarios.filter((s) => s.scenario === scenario).map((s) => s.driver)).filter(
      (d) => metric.driver === undefined || d === metric.driver,
    );
  // Two drivers measure two different things: each is its own instance, and its label says which.
  const multiDriver =
    metric.driver === undefined && unique(results.scenarios.map((s) => s.driver)).length > 1;
  // A scenario named without its size selects every size a sweep ran: label each like a wildcard.
  const wildcard =
    scenarios.some((name) => name !== metric.scenario) ||
    [
      metric.scenario,
      metric.profile,
      'operation' in metric ? metric.operation : '',
      'baseline' in metric ? metric.baseline : '',
    ].some(isWildcard);
  const label = (instance: BudgetInstance) =>
    wildcard || multiDriver
      ? `${budget.text} [${[
          instance.scenario,
          instance.baseline ? `${instance.profile} vs ${instance.baseline}` : instance.profile,
          instance.operation,
          multiDriver ? instance.driver : undefined,
        ]
          .filter(Boolean)
          .join(' / ')}]`
      : budget.text;
  const outcomes: BudgetOutcome[] = [];
  const push = (instance: BudgetInstance, verdict: Verdict, runs: readonly ScenarioResult[]) => {
    const measuredOn = measuredOnFromWarnings(
      runs.flatMap((r) => r.warnings),
      results.run.unavailableStores,
    );
    outcomes.push({
      budget,
      instance,
      verdict: measuredOn.length > 0 ? { ...verdict, measuredOn } : verdict,
    });
  };
  const broken = (runs: ScenarioResult[]) => runs.filter((r) => r.status !== 'completed');
  const brokenReason = (runs: ScenarioResult[]) =>
    runs
      .map((r) => `${r.scenario}/${r.profile}#${r.repeat} ${r.status}${r.reason ? ` (${r.reason})` : ''}`)
      .join('; ');
  // A wildcard means "every pair this run measured": a pair skipped with its reason (the scenario does
  // not apply to the profile, or a store is absent) is listed, not judged. Named, it is not evaluated.
  let skippedPairs = 0;
  const unjudgeable = (instance: BudgetInstance, bad: ScenarioResult[]): Verdict => {
    if (wildcard && bad.every((r) => r.status === 'skipped')) {
      skippedPairs++;
      return notInRun(budget, label(instance), brokenReason(bad));
    }
    return notEvaluated(budget, label(instance), brokenReason(bad));
  };
  let anyProfile = false;
  let anyDriver = false;
  let seedOffset = 0;
  const nextSeed = () => ctx.seed + seedOffset++;

  for (const scenario of scenarios) {
    const profiles = profilesOf(scenario);
    const candidates = profiles.filter(matcher(metric.profile));
    for (const driver of driversOf(scenario)) {
      anyDriver = true;
      if (metric.kind === 'improvement') {
        const baselines = profiles.filter(matcher(metric.baseline));
        for (const profile of candidates) {
          for (const baseline of baselines) {
            if (profile === baseline) continue;
            anyProfile = true;
            const candRuns = runsOf(scenario, profile, driver);
            const baseRuns = runsOf(scenario, baseline, driver);
            const both = [...candRuns, ...baseRuns];
            const bad = broken(both);
            if (bad.length > 0) {
              const instance = { scenario, profile, baseline, driver };
              push(instance, unjudgeable(instance, bad), both);
              continue;
            }
            const operations = unique(candRuns.flatMap((r) => r.operations.map((o) => o.name))).filter(
              matcher(metric.operation),
            );
            for (const operation of operations) {
              const instance = { scenario, profile, operation, baseline, driver };
              const unfit =
                emptyOperation(both, operation) ?? excessErrorShare(both, operation, ctx.maxErrorShare);
              if (unfit) {
                push(instance, notEvaluated(budget, label(instance), unfit), both);
                continue;
              }
              const cand = operationValues(candRuns, operation, metric.stat);
              const base = operationValues(baseRuns, operation, metric.stat);
              if (cand.length === 0 || base.length === 0) continue;
              push(
                instance,
                improvementVerdict(budget, label(instance), instance, base, cand, {
                  noise: ctx.noise,
                  seed: nextSeed(),
                }),
                both,
              );
            }
          }
        }
        continue;
      }
      for (const profile of candidates) {
        anyProfile = true;
        const runs = runsOf(scenario, profile, driver);
        if (runs.length === 0) continue;
        const bad = broken(runs);
        if (bad.length > 0) {
          const instance = { scenario, profile, driver };
          push(instance, unjudgeable(instance, bad), runs);
          continue;
        }
        if (metric.kind === 'latency' || metric.kind === 'throughput') {
          const operations = unique(runs.flatMap((r) => r.operations.map((o) => o.name))).filter(
            matcher(metric.operation),
          );
          for (const operation of operations) {
            const instance = { scenario, profile, operation, driver };
            const unfit =
              emptyOperation(runs, operation) ?? excessErrorShare(runs, operation, ctx.maxErrorShare);
            if (unfit) {
              push(instance, notEvaluated(budget, label(instance), unfit), runs);
              continue;
            }
            const samples = operationValues(
              runs,
              operation,
              metric.kind === 'latency' ? metric.stat : 'throughput',
            );
            const scale = metric.kind === 'latency' ? 1 / 1000 : 1; // µs → ms
            push(
              instance,
              judged(
                budget,
                label(instance),
                samples.map((v) => v * scale),
                nextSeed(),
              ),
              runs,
            );
          }
        } else {
          const samples = runs.map((r) => scalarOf(r, metric)).filter((v): v is number => v !== undefined);
          const instance = { scenario, profile, driver };
          if (samples.length === 0) {
            // A scenario that withholds a metric says why in a warning (e.g. cacheHitRatio when Redis's own
            // counters disagree): that is a run that cannot support a verdict, not a typo in the budget.
            const why = withheld(runs, metric);
            if (why) push(instance, notEvaluated(budget, label(instance), why), runs);
            continue;
          }
          push(instance, judged(budget, label(instance), samples, nextSeed()), runs);
        }
      }
    }
  }
  if (metric.driver && !anyDriver) {
    const drivers = unique(
      results.scenarios.filter((s) => scenarios.includes(s.scenario)).map((s) => s.driver),
    );
    throw fail(
      `selects nothing: no ${metric.driver} driver result for ${scenarios.join(', ')} (drivers: ${drivers.join(', ')})`,
    );
  }
  if (!anyProfile) {
    const wanted =
      metric.kind === 'improvement' ? `"${metric.profile}" vs "${metric.baseline}"` : `"${metric.profile}"`;
    throw fail(
      `selects nothing: no profile matches ${wanted} in ${scenarios.join(', ')} (profiles: ${unique(scenarios.flatMap(profilesOf)).join(', ')})`,
    );
  }
  if (outcomes.length === 0) throw fail(`selects nothing: ${describeMissing(metric, scenarios, results)}`);
  // Only skipped pairs: the budget judged nothing, which must not read as "nothing wrong".
  if (skippedPairs === outcomes.length)
    return outcomes.map((o) => ({
      ...o,
      verdict: {
        ...o.verdict,
        status: 'not-evaluated',
        message: o.verdict.message.replace(/^NOT IN THIS RUN: /, 'NOT EVALUATED: every pair skipped: '),
      },
    }));
  return outcomes;
}

/** Samples judged against the budget; "at N% confidence" over fewer than two is not evaluated. */
function judged(budget: Budget, label: string, samples: readonly number[], seed: number): Verdict {
  const tooFew = tooFewForConfidence(budget, samples.length);
  if (tooFew) return notEvaluated(budget, label, tooFew);
  return verdictFrom(budget, label, judgeSamples(budget, samples, seed), samples.length);
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

/** Why completed runs did not report a scalar metric, when their warnings name it; else undefined. */
function withheld(runs: readonly ScenarioResult[], metric: MetricRef): string | undefined {
  if (metric.kind !== 'value' && metric.kind !== 'distribution') return undefined;
  const warnings = runs.flatMap((r) => r.warnings.filter((w) => w.includes(metric.name)));
  if (warnings.length === 0) return undefined;
  return `${metric.name} not reported by ${runs.map((r) => `${r.scenario}/${r.profile}#${r.repeat}`).join(', ')}: ${[...new Set(warnings)].join('; ')}`;
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

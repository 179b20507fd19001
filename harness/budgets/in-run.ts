// Budgets against what a run selected. A budget over scenarios, profiles or a driver the run did not
// select is "not in this run" (listed, no effect on the exit code): `--budgets adr-024 --scenario
// metrics-query` judges what it ran. A name no run could select is a typo and stays an error — checked
// against the catalogue (built-in and config scenarios and profiles) before the run and after it.
import type { Results } from '../results/schema.ts';
import { BudgetSelectionError } from './errors.ts';
import type { BudgetSet, MetricRef } from './schema.ts';
import { knownScenarioMatcher, matcher, scenarioMatcher, unique } from './select.ts';

/** Every scenario and profile a run could select (the CLI builds it; budgets never import workload). */
export interface KnownNames {
  readonly scenarios: readonly string[];
  readonly profiles: readonly string[];
}

export interface RunSelection {
  readonly scenarios: readonly string[];
  readonly profiles: readonly string[];
  /** Drivers the run used: `--driver dal` runs no http driver; `http` and `both` may run both. */
  readonly drivers: readonly ('dal' | 'http')[];
  readonly known: KnownNames;
}

const names = (value: unknown): string[] | undefined =>
  Array.isArray(value) && value.every((v) => typeof v === 'string') ? value : undefined;

/**
 * The selection recorded in results.run.config by `dalbench run` (scenarios, profiles, driver), or
 * undefined for results that do not record one (then every budget is judged as before).
 */
export function selectionOf(results: Results, known: KnownNames): RunSelection | undefined {
  const config = results.run.config;
  const scenarios = names(config['scenarios']);
  const profiles = names(config['profiles']);
  if (!scenarios || !profiles) return undefined;
  const drivers: RunSelection['drivers'] = config['driver'] === 'dal' ? ['dal'] : ['dal', 'http'];
  return {
    scenarios,
    profiles,
    drivers,
    known: {
      scenarios: unique([...known.scenarios, ...scenarios, ...results.scenarios.map((s) => s.scenario)]),
      profiles: unique([...known.profiles, ...profiles, ...results.scenarios.map((s) => s.profile)]),
    },
  };
}

const profilePatterns = (metric: MetricRef): string[] =>
  metric.kind === 'improvement' ? [metric.profile, metric.baseline] : [metric.profile];

/**
 * Why `metric` lies outside the run's selection, or undefined when it lies (at least partly) inside.
 * A pattern that matches no known name at all is left to the caller's "selects nothing" error.
 */
export function notInRunReason(
  metric: MetricRef,
  selection: RunSelection,
  results: Results,
): string | undefined {
  const byScenario = scenarioMatcher(metric.scenario);
  const selected = selection.scenarios.filter(byScenario);
  if (selected.length === 0) {
    if (!selection.known.scenarios.some(knownScenarioMatcher(metric.scenario))) return undefined;
    return (
      otherSizeReason(metric.scenario, selection.scenarios) ??
      `scenario "${metric.scenario}" was not selected (this run: ${selection.scenarios.join(', ')})`
    );
  }
  for (const pattern of profilePatterns(metric)) {
    const byProfile = matcher(pattern);
    if (selection.profiles.some(byProfile) || !selection.known.profiles.some(byProfile)) continue;
    return `profile "${pattern}" was not selected (this run: ${selection.profiles.join(', ')})`;
  }
  if (metric.driver && !selection.drivers.includes(metric.driver))
    return `the ${metric.driver} driver was not selected (this run: --driver ${selection.drivers.join(', ')})`;
  // A job (e.g. migration) reports only for the profiles it names: selected, yet without a row.
  const withRows = new Set(results.scenarios.map((s) => s.scenario));
  if (!selected.some((s) => withRows.has(s)))
    return `${selected.join(', ')} produced no result for the selected profiles (${selection.profiles.join(', ')})`;
  return undefined;
}

/**
 * A budget judged at one size (`metrics-query@m`) over scenarios measured only at other sizes, or
 * without `--scale`: why it is not in this run, or undefined when the scenario was not measured at all.
 */
export function otherSizeReason(pattern: string, measured: readonly string[]): string | undefined {
  const at = pattern.indexOf('@');
  if (at < 0) return undefined;
  const others = measured.filter(knownScenarioMatcher(pattern));
  if (others.length === 0) return undefined;
  const size = pattern.slice(at + 1);
  return `judged at size ${size}, which this run did not measure (it has ${others.join(', ')}; run with --scale ${size})`;
}

/** Before a run: every budget's scenario and profile patterns must name something a run could select. */
export function assertBudgetNamesKnown(set: BudgetSet, known: KnownNames): void {
  for (const budget of set.budgets) {
    const metric = budget.metric;
    const fail = (problem: string) => new BudgetSelectionError(budget.text, set.source, problem);
    if (!known.scenarios.some(knownScenarioMatcher(metric.scenario)))
      throw fail(
        `selects nothing: no scenario matches "${metric.scenario}" (known scenarios: ${known.scenarios.join(', ')})`,
      );
    for (const pattern of profilePatterns(metric)) {
      if (!known.profiles.some(matcher(pattern)))
        throw fail(
          `selects nothing: no profile matches "${pattern}" (known profiles: ${known.profiles.join(', ')})`,
        );
    }
  }
}

// Confirm before failing (`--confirm K`): a failing relative gate re-runs just the offending
// scenario × profiles K more times (through the `rerun` callback the runner provides) and stays failed
// only if the regression holds on the fresh runs. Pure decision logic; the live run is the caller's.
import type { Results, ScenarioResult } from '../report/results-schema.ts';
import { evaluateBudgetOutcomes, type BudgetOutcome, type EvaluateOptions } from './evaluate.ts';
import type { BudgetSet } from './schema.ts';

export interface RerunRequest {
  scenario: string;
  /** The candidate profile first, then its baseline; the runner interleaves them (A B A B …). */
  profiles: string[];
  times: number;
}

export type Rerun = (request: RerunRequest) => Promise<ScenarioResult[]>;

export interface ConfirmOptions extends EvaluateOptions {
  /** K: re-runs per failing relative gate; 0 disables confirmation. */
  confirm: number;
  rerun: Rerun;
}

export async function confirmOutcomes(
  results: Results,
  outcomes: readonly BudgetOutcome[],
  options: ConfirmOptions,
): Promise<BudgetOutcome[]> {
  if (options.confirm <= 0) return [...outcomes];
  const confirmed: BudgetOutcome[] = [];
  for (const outcome of outcomes) {
    const { budget, instance, verdict } = outcome;
    if (
      verdict.status !== 'fail' ||
      budget.metric.kind !== 'improvement' ||
      !instance.baseline ||
      !instance.operation
    ) {
      confirmed.push(outcome);
      continue;
    }
    const fresh = await options.rerun({
      scenario: instance.scenario,
      profiles: [instance.profile, instance.baseline],
      times: options.confirm,
    });
    // Re-evaluate the same budget, narrowed to this instance, on the fresh runs only.
    const narrowed: BudgetSet = {
      name: 'confirm',
      description: undefined,
      source: 'confirmation re-run',
      budgets: [
        {
          ...budget,
          metric: {
            ...budget.metric,
            scenario: instance.scenario,
            profile: instance.profile,
            baseline: instance.baseline,
            operation: instance.operation,
          },
        },
      ],
    };
    let again: BudgetOutcome | undefined;
    try {
      again = evaluateBudgetOutcomes({ ...results, scenarios: fresh }, narrowed, options)[0];
    } catch {
      again = undefined; // the re-run did not produce the operation: the failure stands unconfirmed-away
    }
    if (again && again.verdict.status === 'pass') {
      confirmed.push({
        ...outcome,
        verdict: {
          ...verdict,
          status: 'pass',
          confirmation: 'not-confirmed',
          message: `NOT CONFIRMED (within noise): ${verdict.message}; ${options.confirm} re-runs measured ${again.verdict.measured?.toFixed(1)}${verdict.unit}`,
        },
      });
    } else {
      const after = again
        ? `; ${options.confirm} re-runs: ${again.verdict.message}`
        : '; re-runs produced no evaluable data';
      confirmed.push({
        ...outcome,
        verdict: { ...verdict, confirmation: 'confirmed', message: `CONFIRMED ${verdict.message}${after}` },
      });
    }
  }
  return confirmed;
}

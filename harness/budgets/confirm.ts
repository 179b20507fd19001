// Confirm before failing (`--confirm K`): a failing or inconclusive relative gate re-runs just the
// offending scenario × profiles (× driver) K more times, through the `rerun` callback the runner
// provides, and is judged again on the original runs POOLED with the re-runs. Pooling, not replacing:
// judging the re-runs alone would give a failure a second chance to pass (second-chance bias).
// Pure decision logic; the live run is the caller's.
import type { Results, ScenarioResult, Verdict } from '../results/schema.ts';
import { evaluateBudgetOutcomes, type BudgetOutcome, type EvaluateOptions } from './evaluate.ts';
import type { BudgetSet } from './schema.ts';

export interface RerunRequest {
  scenario: string;
  /** The candidate profile first, then its baseline; the runner interleaves them (A B A B …). */
  profiles: string[];
  /** The driver the gate judged: re-runs measure the same thing. */
  driver: 'dal' | 'http';
  times: number;
}

export type Rerun = (request: RerunRequest) => Promise<ScenarioResult[]>;

export interface ConfirmOptions extends EvaluateOptions {
  /** K: re-runs per failing or inconclusive relative gate; 0 disables confirmation. */
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
      (verdict.status !== 'fail' && verdict.status !== 'inconclusive') ||
      budget.metric.kind !== 'improvement' ||
      !instance.baseline ||
      !instance.operation
    ) {
      confirmed.push(outcome);
      continue;
    }
    const driver = instance.driver ?? 'dal';
    const profiles = [instance.profile, instance.baseline];
    const original = results.scenarios.filter(
      (s) => s.scenario === instance.scenario && profiles.includes(s.profile) && s.driver === driver,
    );
    const fresh = await options.rerun({
      scenario: instance.scenario,
      profiles,
      driver,
      times: options.confirm,
    });
    // Re-runs continue the repeat numbering, so the pooled set reads as one series of repeats.
    const offset = Math.max(-1, ...original.map((s) => s.repeat)) + 1;
    const pooled = [
      ...original,
      ...fresh
        .filter(
          (s) => s.scenario === instance.scenario && profiles.includes(s.profile) && s.driver === driver,
        )
        .map((s) => ({ ...s, repeat: s.repeat + offset })),
    ];
    // The same budget, narrowed to this instance, on the original runs and the re-runs together.
    const narrowed: BudgetSet = {
      name: 'confirm',
      description: undefined,
      source: 'confirmation re-run',
      maxErrorShare: undefined,
      budgets: [
        {
          ...budget,
          metric: {
            ...budget.metric,
            scenario: instance.scenario,
            profile: instance.profile,
            baseline: instance.baseline,
            operation: instance.operation,
            driver,
          },
        },
      ],
    };
    const { selection: _selection, ...evaluateOptions } = options;
    let again: BudgetOutcome | undefined;
    try {
      again = evaluateBudgetOutcomes({ ...results, scenarios: pooled }, narrowed, evaluateOptions)[0];
    } catch {
      again = undefined; // the pooled set lacks the operation: the original verdict stands
    }
    const runs = `pooled over ${countRuns(original, instance.profile)} runs + ${options.confirm} re-runs`;
    confirmed.push({ ...outcome, verdict: afterConfirmation(verdict, again?.verdict, runs) });
  }
  return confirmed;
}

function countRuns(runs: readonly ScenarioResult[], profile: string): number {
  return runs.filter((s) => s.profile === profile).length;
}

/** The pooled verdict decides; the message keeps what the first judgement said. */
function afterConfirmation(first: Verdict, pooled: Verdict | undefined, runs: string): Verdict {
  if (!pooled) {
    return {
      ...first,
      confirmation: 'confirmed',
      message: `CONFIRMED ${first.message}; re-runs produced no evaluable data`,
    };
  }
  const base = { ...pooled, budget: first.budget, ...(first.claim ? { claim: first.claim } : {}) };
  switch (pooled.status) {
    case 'fail':
      return { ...base, confirmation: 'confirmed', message: `CONFIRMED ${pooled.message}; ${runs}` };
    case 'pass':
      return {
        ...base,
        confirmation: 'not-confirmed',
        message: `NOT CONFIRMED: ${pooled.message}; ${runs} (first judgement: ${first.message})`,
      };
    default:
      return { ...base, message: `${pooled.message}; ${runs} (first judgement: ${first.message})` };
  }
}

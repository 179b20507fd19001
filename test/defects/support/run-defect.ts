// Defect-profile tests share one path: run a real scenario on real stores (the test run's, lent to
// the orchestration) for a correct profile and a profile carrying exactly one defect, then judge the
// results with the budget that exists to catch that defect. A metric that cannot fail gates green.
import type { BudgetSet } from '../../../harness/budgets/schema.ts';
import { evaluateBudgets } from '../../../harness/budgets/evaluate.ts';
import { resolveBudgetSet } from '../../../harness/budgets/resolve.ts';
import type { ProvisionedStores, StoreKind } from '../../../harness/provision/provisioner.ts';
import type { Results, Verdict } from '../../../harness/results/schema.ts';
import { runBenchmark } from '../../../harness/run/run-benchmark.ts';
import type { RunPlan } from '../../../harness/run/run-plan.ts';
import type { Profile } from '../../../reference-dal/profiles/profile.ts';
import type { ScenarioEntry } from '../../../scenarios/index.ts';
import { lentStores } from '../../support/stores.ts';

// One helper for every test that lends the run's stores (test/support/stores.ts).
export { lentStores };

export interface DefectRun {
  readonly scenario: ScenarioEntry;
  readonly profiles: readonly Profile[];
  readonly seed?: number;
  readonly durationMs?: number;
  readonly warmupMs?: number;
  readonly load?: RunPlan['load'];
  /** Which stores the run gets for the kinds it asks for; default: the test run's (lentStores). */
  readonly stores?: (kinds: readonly StoreKind[]) => ProvisionedStores;
}

/** One real run of `scenario` on each profile (in order), with the test run's stores. */
export async function runOnProfiles(run: DefectRun): Promise<Results> {
  const seed = run.seed ?? 20261201;
  return runBenchmark(
    {
      scenarios: [run.scenario],
      profiles: run.profiles,
      stores: 'external',
      load: run.load ?? { type: 'closed', concurrency: 2 },
      seed,
      durationMs: run.durationMs ?? 1_500,
      warmupMs: run.warmupMs ?? 0,
      quick: true,
      repeat: 1,
      shard: undefined,
      driver: 'dal',
      config: { test: true, seed },
    },
    { provision: (kinds) => Promise.resolve((run.stores ?? lentStores)(kinds)) },
  );
}

/** Evaluate budget expressions (e.g. `staleReads(cross-store-consistency, *) == 0`) over `results`. */
export function judge(results: Results, exprs: readonly string[]): Verdict[] {
  const set: BudgetSet = resolveBudgetSet(
    { name: 'defect-test', budgets: exprs.map((expr) => ({ expr })) },
    'defect test',
  );
  return evaluateBudgets(results, set);
}

/** The verdict of a budget written for one profile: `expr` with `PROFILE` replaced by its name. */
export function verdictOf(results: Results, expr: string, profile: string): Verdict {
  const [verdict, ...more] = judge(results, [expr.replaceAll('PROFILE', profile)]);
  if (!verdict || more.length > 0)
    throw new Error(`expected one verdict for ${expr} on ${profile}, got ${1 + more.length}`);
  return verdict;
}

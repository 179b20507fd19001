// An A/A run set for `dalbench calibrate --runs N`: the same plan (same seed, same operation
// sequence) N times on one set of stores, each run's results written to DIR/run-i/results.json.
import path from 'node:path';
import { provisionStores } from '../provision/create-provisioner.ts';
import { writeResults } from '../report/results-io.ts';
import type { Results } from '../report/results-schema.ts';
import { runBenchmark, storeKinds, type RunEvent } from './run-benchmark.ts';
import type { RunPlan } from './run-plan.ts';
import { borrowStores } from './shared-stores.ts';

export async function runAaSet(
  plan: RunPlan,
  runs: number,
  outDir: string,
  hooks: { signal?: AbortSignal; onEvent?: (event: RunEvent) => void } = {},
): Promise<{ path: string; results: Results }[]> {
  const log = (line: string) => hooks.onEvent?.({ type: 'log', line });
  // Stores come up once for the whole set, so every run measures the same servers.
  await using stores = await provisionStores(plan.stores, storeKinds(plan.profiles), log);
  const shared = borrowStores(stores);
  const out: { path: string; results: Results }[] = [];
  for (let i = 1; i <= runs; i++) {
    if (hooks.signal?.aborted) break;
    log(`A/A run ${i} of ${runs}`);
    const results = await runBenchmark(plan, { ...hooks, provision: () => Promise.resolve(shared) });
    out.push({ path: await writeResults(path.join(outDir, `run-${i}`), results), results });
  }
  return out;
}

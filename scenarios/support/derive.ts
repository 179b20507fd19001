// Derived metrics shared by scenarios.
import type { DeriveInput } from '../../harness/workload/scenario.ts';

/** errors / (ok + errors) over every operation of the scenario. */
export function errorRate(input: DeriveInput): Record<string, number> {
  let ok = 0;
  let errors = 0;
  for (const op of input.operations) {
    ok += op.count;
    errors += op.errors;
  }
  return ok + errors > 0 ? { errorRate: errors / (ok + errors) } : {};
}

/** hits / (hits + misses) when both counters exist and something was looked up. */
export function ratio(hits: number | undefined, misses: number | undefined): number | undefined {
  if (hits === undefined || misses === undefined || hits + misses === 0) return undefined;
  return hits / (hits + misses);
}

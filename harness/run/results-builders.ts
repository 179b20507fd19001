// Scenario results for pairs that never ran (skipped, errored while building the profile, or cut
// short by Ctrl-C): every scenario × profile appears in results.json with the reason.
import type { ScenarioResult } from '../results/schema.ts';

export function notRunResult(
  scenario: string,
  profile: string,
  repeat: number,
  status: 'skipped' | 'errored' | 'incomplete',
  reason: string,
  driver: 'dal' | 'http' = 'dal',
): ScenarioResult {
  return {
    scenario,
    profile,
    repeat,
    driver,
    status,
    reason,
    durationMs: 0,
    operations: [],
    counters: {},
    metrics: {},
    distributions: {},
    warnings: [],
  };
}

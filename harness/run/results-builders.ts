// Scenario results for pairs that never ran (skipped, errored while building the profile, or cut
// short by Ctrl-C): every scenario × profile appears in results.json with the reason.
import type { ScenarioResult } from '../report/results-schema.ts';

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

/** Cause chain in one line, for reasons. */
export function describeError(error: unknown): string {
  const parts: string[] = [];
  let current: unknown = error;
  for (let depth = 0; current !== undefined && depth < 4; depth++) {
    parts.push(current instanceof Error ? current.message : (JSON.stringify(current) ?? typeof current));
    current = current instanceof Error ? current.cause : undefined;
  }
  return parts.join(' <- ');
}

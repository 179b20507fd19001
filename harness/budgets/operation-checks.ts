// What makes an operation's figures unfit to judge: no successful sample at all, or too many failed
// attempts — latency and throughput cover successes only, so a store failing fast behind a circuit
// breaker would otherwise pass every latency gate.
import type { ScenarioResult } from '../results/schema.ts';

/** A latency or throughput of zero successful operations is no measurement: say which run had none. */
export function emptyOperation(runs: readonly ScenarioResult[], operation: string): string | undefined {
  const empty = runs.filter((run) => run.operations.some((o) => o.name === operation && o.count === 0));
  if (empty.length === 0) return undefined;
  return empty
    .map((run) => {
      const op = run.operations.find((o) => o.name === operation);
      const errors = Object.entries(op?.errors ?? {})
        .map(([name, n]) => `${name} ×${n}`)
        .join(', ');
      return `${runLabel(run)}: no successful ${operation} operation${errors ? ` (errors: ${errors})` : ''}`;
    })
    .join('; ');
}

/** Each run whose share of failed `operation` attempts exceeds `limit` (0–1), or undefined when none does. */
export function excessErrorShare(
  runs: readonly ScenarioResult[],
  operation: string,
  limit: number,
): string | undefined {
  const problems = runs.flatMap((run) => {
    const op = run.operations.find((o) => o.name === operation);
    if (!op) return [];
    const errors = Object.values(op.errors).reduce((a, b) => a + b, 0);
    const attempts = op.count + errors;
    const share = attempts === 0 ? 0 : errors / attempts;
    if (share <= limit) return [];
    return [
      `${runLabel(run)}: ${operation} error share ${percent(share)} > ${percent(limit)} (${errors} errors of ${attempts} attempts)`,
    ];
  });
  return problems.length === 0 ? undefined : problems.join('; ');
}

function runLabel(run: ScenarioResult): string {
  return `${run.scenario}/${run.profile}#${run.repeat}${run.driver === 'dal' ? '' : ` (${run.driver})`}`;
}

function percent(share: number): string {
  const pct = share * 100;
  return `${pct === 0 || pct >= 0.1 ? pct.toFixed(1) : pct.toPrecision(2)}%`;
}

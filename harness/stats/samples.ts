// Per-repeat values out of results.json: the samples every statistic here works on. Only completed
// scenario runs contribute; a repeat that errored is not a sample.
import type { HistogramSummary, Results, ScenarioResult } from '../report/results-schema.ts';

export const LATENCY_STATS = ['p50', 'p90', 'p95', 'p99', 'p999', 'max', 'mean', 'min'] as const;
export type LatencyStat = (typeof LATENCY_STATS)[number];

export function latencyStat(h: HistogramSummary, stat: LatencyStat): number {
  const field = `${stat}Us` as const;
  return h[field];
}

export const OPERATION_METRICS = ['throughput', 'p50', 'p95', 'p99', 'p999'] as const;
export type OperationMetric = (typeof OPERATION_METRICS)[number];

export interface OperationSamples {
  scenario: string;
  profile: string;
  operation: string;
  /** Latencies in µs, throughput in ops/s; one value per completed repeat, in repeat order. */
  values: Record<OperationMetric, number[]>;
}

export function operationKey(scenario: string, profile: string, operation: string): string {
  return `${scenario}\u0000${profile}\u0000${operation}`;
}

export function completedRuns(results: Results): ScenarioResult[] {
  return results.scenarios.filter((s) => s.status === 'completed').sort((a, b) => a.repeat - b.repeat);
}

export function operationSamples(results: Results): Map<string, OperationSamples> {
  const out = new Map<string, OperationSamples>();
  for (const run of completedRuns(results)) {
    for (const op of run.operations) {
      const key = operationKey(run.scenario, run.profile, op.name);
      let entry = out.get(key);
      if (!entry) {
        entry = {
          scenario: run.scenario,
          profile: run.profile,
          operation: op.name,
          values: { throughput: [], p50: [], p95: [], p99: [], p999: [] },
        };
        out.set(key, entry);
      }
      entry.values.throughput.push(op.throughput);
      for (const stat of ['p50', 'p95', 'p99', 'p999'] as const) {
        entry.values[stat].push(latencyStat(op.latency, stat));
      }
    }
  }
  return out;
}

/** Scalar metrics and counters per scenario × profile, one value per completed repeat. */
export function scalarSamples(
  results: Results,
): Map<string, { scenario: string; profile: string; name: string; values: number[] }> {
  const out = new Map<string, { scenario: string; profile: string; name: string; values: number[] }>();
  for (const run of completedRuns(results)) {
    for (const [name, value] of [...Object.entries(run.metrics), ...Object.entries(run.counters)]) {
      const key = operationKey(run.scenario, run.profile, name);
      const entry = out.get(key) ?? { scenario: run.scenario, profile: run.profile, name, values: [] };
      entry.values.push(value);
      out.set(key, entry);
    }
  }
  return out;
}

// Per-repeat values out of results.json: the samples every statistic here works on. Only completed
// scenario runs contribute; a repeat that errored is not a sample. The driver (dal | http) is part of
// every key: a `--driver both` run measures two different things, never two repeats of one.
import type { HistogramSummary, OperationResult, Results, ScenarioResult } from '../results/schema.ts';

export const LATENCY_STATS = ['p50', 'p90', 'p95', 'p99', 'p999', 'max', 'mean', 'min'] as const;
export type LatencyStat = (typeof LATENCY_STATS)[number];

export function latencyStat(h: HistogramSummary, stat: LatencyStat): number {
  const field = `${stat}Us` as const;
  return h[field];
}

export const OPERATION_METRICS = ['throughput', 'p50', 'p95', 'p99', 'p999'] as const;
export type OperationMetric = (typeof OPERATION_METRICS)[number];

export type Driver = ScenarioResult['driver'];

export interface OperationSamples {
  scenario: string;
  profile: string;
  driver: Driver;
  operation: string;
  /** The run (invocation) these repeats come from. */
  runId: string;
  /** Latencies in µs, throughput in ops/s; one value per completed repeat, in repeat order. */
  values: Record<OperationMetric, number[]>;
  /** Per repeat, in the same order: its measure phase and per-second series (for within-run intervals). */
  repeats: { repeat: number; durationMs: number; count: number; series: OperationResult['series'] }[];
}

export function operationKey(
  scenario: string,
  profile: string,
  operation: string,
  driver: Driver = 'dal',
): string {
  return `${scenario}\u0000${profile}\u0000${driver}\u0000${operation}`;
}

export function completedRuns(results: Results): ScenarioResult[] {
  return results.scenarios.filter((s) => s.status === 'completed').sort((a, b) => a.repeat - b.repeat);
}

export function operationSamples(results: Results): Map<string, OperationSamples> {
  const out = new Map<string, OperationSamples>();
  for (const run of completedRuns(results)) {
    for (const op of run.operations) {
      const key = operationKey(run.scenario, run.profile, op.name, run.driver);
      let entry = out.get(key);
      if (!entry) {
        entry = {
          scenario: run.scenario,
          profile: run.profile,
          driver: run.driver,
          operation: op.name,
          runId: results.run.id,
          values: { throughput: [], p50: [], p95: [], p99: [], p999: [] },
          repeats: [],
        };
        out.set(key, entry);
      }
      entry.repeats.push({
        repeat: run.repeat,
        durationMs: run.durationMs,
        count: op.count,
        series: op.series,
      });
      entry.values.throughput.push(op.throughput);
      for (const stat of ['p50', 'p95', 'p99', 'p999'] as const) {
        entry.values[stat].push(latencyStat(op.latency, stat));
      }
    }
  }
  return out;
}

export interface ScalarSamples {
  scenario: string;
  profile: string;
  driver: Driver;
  name: string;
  values: number[];
}

/** Scalar metrics and counters per scenario × profile × driver, one value per completed repeat. */
export function scalarSamples(results: Results): Map<string, ScalarSamples> {
  const out = new Map<string, ScalarSamples>();
  for (const run of completedRuns(results)) {
    for (const [name, value] of [...Object.entries(run.metrics), ...Object.entries(run.counters)]) {
      const key = operationKey(run.scenario, run.profile, name, run.driver);
      const entry = out.get(key) ?? {
        scenario: run.scenario,
        profile: run.profile,
        driver: run.driver,
        name,
        values: [],
      };
      entry.values.push(value);
      out.set(key, entry);
    }
  }
  return out;
}

// One synthetic `dalbench run` invocation with known truth, for the statistics tests: per repeat, real
// HdrHistograms and per-second series drawn from a log-normal model with an invocation effect (shared by
// every repeat of the file), a repeat effect, and an AR(1) per-second process (autocorrelated windows).
// Not a measurement: the numbers only have the structure real runs have.
import { createHistogram, summarizeHistogram } from '../../../harness/metrics/histogram.ts';
import {
  RESULTS_SCHEMA_VERSION,
  type OperationResult,
  type Results,
  type ScenarioResult,
} from '../../../harness/results/schema.ts';
import { seededRandom } from '../../../harness/stats/random.ts';

export interface SyntheticRow {
  scenario: string;
  profile: string;
  driver?: 'dal' | 'http';
  operation: string;
  /** Median latency in ms before any effect. */
  medianMs: number;
}

export interface InvocationSpec {
  runId: string;
  seed: number;
  rows: readonly SyntheticRow[];
  repeats?: number;
  /** Multiplies every latency of this invocation (throughput divides by it): the invocation effect. */
  invocationFactor?: number;
  /** Per-row multiplier (a real change, or a row-specific invocation effect). */
  rowFactor?: (row: SyntheticRow, repeat: number) => number;
  /** Log-normal σ of each repeat's scale (repeat-to-repeat spread inside the invocation). */
  repeatSigma?: number;
  /** Measured seconds per repeat (one series point each). */
  seconds?: number;
  /** Per-second log-normal σ of the AR(1) process and its lag-1 correlation. */
  secondSigma?: number;
  phi?: number;
  /** Latencies drawn per second into the histograms (throughput follows the latency). */
  samplesPerSecond?: number;
}

export function gaussian(random: () => number): number {
  const u = Math.max(random(), 1e-12);
  return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * random());
}

export function syntheticInvocation(spec: InvocationSpec): Results {
  const random = seededRandom(spec.seed);
  const repeats = spec.repeats ?? 1;
  const seconds = spec.seconds ?? 20;
  const phi = spec.phi ?? 0.5;
  const secondSigma = spec.secondSigma ?? 0.1;
  const samplesPerSecond = spec.samplesPerSecond ?? 60;
  const scenarios: ScenarioResult[] = [];
  for (let repeat = 0; repeat < repeats; repeat++) {
    for (const row of spec.rows) {
      const scale =
        (spec.invocationFactor ?? 1) *
        (spec.rowFactor?.(row, repeat) ?? 1) *
        Math.exp((spec.repeatSigma ?? 0) * gaussian(random));
      const all = createHistogram();
      let total = 0;
      const series: OperationResult['series'] = [];
      let ar = gaussian(random) * secondSigma; // stationary start
      for (let t = 0; t < seconds; t++) {
        ar = phi * ar + Math.sqrt(1 - phi * phi) * secondSigma * gaussian(random);
        const second = createHistogram();
        const secondScale = scale * Math.exp(ar);
        // A closed loop of 4 workers: throughput moves inversely with latency, with its own jitter.
        // At most `samplesPerSecond` latencies per second are drawn (enough for the percentiles).
        const ops = Math.max(
          1,
          Math.round((4000 / (row.medianMs * secondScale)) * Math.exp(0.05 * gaussian(random))),
        );
        total += ops;
        for (let i = 0; i < Math.min(ops, samplesPerSecond); i++) {
          const us = Math.max(
            1,
            Math.round(row.medianMs * 1000 * secondScale * Math.exp(0.3 * gaussian(random))),
          );
          all.recordValue(us);
          second.recordValue(us);
        }
        series.push({ t, ops, p99Us: second.getValueAtPercentile(99) });
      }
      const latency = summarizeHistogram(all);
      const existing = scenarios.find(
        (s) =>
          s.scenario === row.scenario &&
          s.profile === row.profile &&
          s.driver === (row.driver ?? 'dal') &&
          s.repeat === repeat,
      );
      const operation: OperationResult = {
        name: row.operation,
        count: total,
        throughput: total / seconds,
        errors: {},
        latency,
        series,
      };
      if (existing) {
        existing.operations.push(operation);
        continue;
      }
      scenarios.push({
        scenario: row.scenario,
        profile: row.profile,
        repeat,
        status: 'completed',
        driver: row.driver ?? 'dal',
        loadModel: { type: 'closed', concurrency: 4 },
        durationMs: seconds * 1000,
        operations: [operation],
        counters: {},
        metrics: {},
        distributions: {},
        warnings: [],
      });
    }
  }
  return {
    kind: 'dalbench-results',
    schemaVersion: RESULTS_SCHEMA_VERSION,
    run: {
      id: spec.runId,
      startedAt: '2025-01-01T00:00:00.000Z',
      finishedAt: '2025-01-01T00:05:00.000Z',
      status: 'complete',
      seed: spec.seed,
      git: { revision: 'synthetic', dirty: false },
      node: process.version,
      platform: `${process.platform}-${process.arch}`,
      cpus: 2,
      cpuModel: 'synthetic CPU',
      memoryBytes: 4 * 1024 ** 3,
      config: { synthetic: true },
      stores: [],
      harness: {
        eventLoopDelayP99Ms: 1,
        lateStartShare: 0,
        warnings: ['synthetic results: not a measurement'],
      },
    },
    scenarios,
  };
}

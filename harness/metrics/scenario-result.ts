// What a measure phase adds up to in a result: per-operation figures, counters (the scenario's
// snapshot deltas plus its recorder's), the harness's own health (self-monitor, open-loop
// scheduling), derived metrics, and the warnings that tell a reader when not to trust a figure.
import { formatErrorChain } from '../../reference-dal/error-chain.ts';
import type { Scenario } from '../workload/scenario.ts';
import type { HistogramSummary, OperationResult, ResourcePoint, ScenarioResult } from '../results/schema.ts';
import { resourceSlopes } from './resource-sampler.ts';
import type { OperationStats } from './operation-stats.ts';
import type { ScenarioRecorder } from './scenario-recorder.ts';
import { generatorWarnings, schedulingLagWarnings, type SelfMonitorReading } from './self-monitor.ts';

/** Open loop only: how the generator kept its schedule. */
export interface Scheduling {
  readonly scheduled: number;
  readonly lateStarts: number;
  readonly lag: HistogramSummary;
}

export interface MeasureSummaryInput {
  readonly durationMs: number;
  readonly stats: readonly OperationStats[];
  readonly recorder: ScenarioRecorder;
  /** Deltas of the scenario's snapshot over the measure phase. */
  readonly snapshotCounters: Readonly<Record<string, number>>;
  readonly reading: SelfMonitorReading;
  /** The harness's resources each second of the measure phase. */
  readonly resources?: readonly ResourcePoint[];
  readonly scheduling: Scheduling | undefined;
  /** Its `derive` turns the measured counters and latencies into scenario metrics. */
  readonly scenario: Pick<Scenario<unknown>, 'derive'>;
  /** Operations still running when the drain timeout ran out (not recorded). */
  readonly stuck: { readonly count: number; readonly timeoutMs: number } | undefined;
}

export type MeasureSummary = Pick<
  ScenarioResult,
  | 'durationMs'
  | 'operations'
  | 'counters'
  | 'metrics'
  | 'distributions'
  | 'warnings'
  | 'schedulingLag'
  | 'resources'
>;

export function summarizeMeasure(input: MeasureSummaryInput): MeasureSummary {
  const { durationMs, scheduling, reading } = input;
  const counters: Record<string, number> = { ...input.snapshotCounters };
  for (const [name, value] of input.recorder.counters) counters[name] = (counters[name] ?? 0) + value;
  const operations: OperationResult[] = input.stats.map((s) => s.result(durationMs));
  const lateStartShare =
    scheduling && scheduling.scheduled > 0 ? scheduling.lateStarts / scheduling.scheduled : undefined;
  if (scheduling) {
    counters.scheduledOps = scheduling.scheduled;
    counters.lateStarts = scheduling.lateStarts;
  }
  const metrics: Record<string, number> = {
    harnessEventLoopDelayP99Ms: reading.eventLoopDelayP99Ms,
    harnessEventLoopDelayMaxMs: reading.eventLoopDelayMaxMs,
    harnessCpuShare: reading.cpuShare,
    harnessGcPauseShare: reading.gcPauseShare,
    harnessGcPauseMaxMs: reading.gcPauseMaxMs,
    ...(reading.runQueueWaitShare === undefined
      ? {}
      : { harnessRunQueueWaitShare: reading.runQueueWaitShare }),
    ...(lateStartShare === undefined ? {} : { harnessLateStartShare: lateStartShare }),
    ...resourceSlopes(input.resources ?? [], operations),
  };
  const warnings = generatorWarnings({
    reading,
    lateStartShare: scheduling ? (lateStartShare ?? 0) : undefined,
  });
  if (scheduling) warnings.push(...schedulingLagWarnings(scheduling.lag, operations));
  if (input.stuck)
    warnings.push(
      `${input.stuck.count} operation(s) still in flight ${input.stuck.timeoutMs} ms after the measure phase; not recorded`,
    );
  if (input.scenario.derive) {
    try {
      Object.assign(
        metrics,
        input.scenario.derive({
          counters,
          durationMs,
          operations: operations.map((o) => ({
            name: o.name,
            count: o.count,
            errors: Object.values(o.errors).reduce((a, b) => a + b, 0),
            p50Us: o.latency.p50Us,
            p99Us: o.latency.p99Us,
          })),
        }),
      );
    } catch (error) {
      warnings.push(`derive() failed: ${formatErrorChain(error, 'line')}`);
    }
  }
  for (const [name, value] of Object.entries(metrics))
    if (!Number.isFinite(value)) {
      delete metrics[name];
      warnings.push(`metric ${name} was not a finite number (${value}); left out`);
    }
  return {
    durationMs,
    operations,
    counters,
    metrics,
    distributions: input.recorder.distributionSummaries(),
    warnings,
    ...(scheduling ? { schedulingLag: scheduling.lag } : {}),
    ...(input.resources ? { resources: [...input.resources] } : {}),
  };
}

// Merge results of several shards (or runs of the same config) into one, losslessly: histograms
// are decoded, added and re-encoded (summaries recomputed), counters summed, per-second series
// combined by second, and every input's metadata kept in `mergedFrom`. Inputs that do not
// describe the same run (different seed, schema, or a scenario measured under different load
// shapes) are refused with the reason.
import { mergeHistogramSummaries } from '../metrics/histogram.ts';
import {
  resultsSchema,
  type HistogramSummary,
  type OperationResult,
  type Results,
  type ScenarioResult,
} from '../results/schema.ts';

export class MergeError extends Error {
  override name = 'MergeError';
}

export interface MergeInput {
  /** Where the results came from, for messages. */
  readonly source: string;
  readonly results: Results;
}

/** Derived metrics are not additive: they are recomputed by the scenario, so the merge drops them unless all inputs agree. */
export function mergeResults(
  inputs: readonly MergeInput[],
  options: { id?: string; now?: Date } = {},
): Results {
  if (inputs.length < 2) throw new MergeError(`merge needs at least two results files, got ${inputs.length}`);
  const [first] = inputs as [MergeInput, ...MergeInput[]];
  for (const input of inputs.slice(1)) {
    if (input.results.run.seed !== first.results.run.seed) {
      throw new MergeError(
        `${input.source}: seed ${input.results.run.seed} differs from ${first.source}'s seed ${first.results.run.seed}; shards of one run share the seed`,
      );
    }
    const a = first.results.run.shard?.count;
    const b = input.results.run.shard?.count;
    if (a !== undefined && b !== undefined && a !== b) {
      throw new MergeError(`${input.source}: shard count ${b} differs from ${first.source}'s ${a}`);
    }
  }
  const shardKeys = inputs.map((i) =>
    i.results.run.shard ? `${i.results.run.shard.index}/${i.results.run.shard.count}` : undefined,
  );
  const seen = new Map<string, string>();
  inputs.forEach((input, n) => {
    const key = shardKeys[n];
    if (key === undefined) return;
    const other = seen.get(key);
    if (other) throw new MergeError(`${input.source}: shard ${key} appears twice (also in ${other})`);
    seen.set(key, input.source);
  });

  const groups = new Map<string, { source: string; result: ScenarioResult }[]>();
  for (const input of inputs) {
    for (const result of input.results.scenarios) {
      // The driver is part of the key: a `--driver both` run measures dal and http side by side.
      const key = `${result.scenario}\u0000${result.profile}\u0000${result.repeat}\u0000${result.driver}`;
      const group = groups.get(key) ?? [];
      group.push({ source: input.source, result });
      groups.set(key, group);
    }
  }
  const scenarios = [...groups.values()].map(mergeScenario);

  const runs = inputs.map((i) => i.results.run);
  const startedAt = runs.map((r) => r.startedAt).sort()[0]!;
  const finishedAt = runs
    .map((r) => r.finishedAt)
    .sort()
    .at(-1)!;
  const incomplete = inputs.filter((i) => i.results.run.status === 'incomplete');
  const stores = new Map<string, Results['run']['stores'][number]>();
  for (const run of runs)
    for (const store of run.stores) stores.set(`${store.kind}\u0000${store.url}`, store);
  const scheduled = scenarios.reduce((a, s) => a + (s.counters.scheduledOps ?? 0), 0);
  const late = scenarios.reduce((a, s) => a + (s.counters.lateStarts ?? 0), 0);

  return resultsSchema.parse({
    kind: 'dalbench-results',
    schemaVersion: first.results.schemaVersion,
    run: {
      ...first.results.run,
      id: options.id ?? `merge-${(options.now ?? new Date()).toISOString().replace(/[:.]/g, '-')}`,
      startedAt,
      finishedAt,
      status: incomplete.length > 0 ? 'incomplete' : 'complete',
      ...(incomplete.length > 0
        ? { incompleteReason: `incomplete input(s): ${incomplete.map((i) => i.source).join(', ')}` }
        : { incompleteReason: undefined }),
      stores: [...stores.values()],
      ...(runs.some((r) => r.unavailableStores)
        ? {
            unavailableStores: Object.assign({}, ...runs.map((r) => r.unavailableStores ?? {})) as Record<
              string,
              string
            >,
          }
        : {}),
      harness: {
        eventLoopDelayP99Ms: Math.max(...runs.map((r) => r.harness.eventLoopDelayP99Ms)),
        ...peakRss(runs.map((r) => r.harness.peakRssMb)),
        lateStartShare:
          scheduled > 0 ? late / scheduled : Math.max(...runs.map((r) => r.harness.lateStartShare)),
        warnings: runs.flatMap((r, n) => r.harness.warnings.map((w) => `${inputs[n]!.source}: ${w}`)),
      },
      shard: undefined,
      mergedFrom: inputs.flatMap((i) =>
        i.results.run.mergedFrom
          ? i.results.run.mergedFrom
          : [
              {
                id: i.results.run.id,
                ...(i.results.run.shard
                  ? { shard: `${i.results.run.shard.index}/${i.results.run.shard.count}` }
                  : {}),
              },
            ],
      ),
    },
    scenarios,
    // Verdicts judged one shard; they must be re-evaluated on the merged figures.
    verdicts: undefined,
  });
}

function mergeScenario(group: { source: string; result: ScenarioResult }[]): ScenarioResult {
  const [head] = group as [(typeof group)[number], ...typeof group];
  const base = head.result;
  for (const { source, result } of group.slice(1)) {
    // A shard that ran nothing (0 workers) has no load model; it cannot conflict.
    if (result.loadModel && base.loadModel && result.loadModel.type !== base.loadModel.type) {
      throw new MergeError(
        `${source}: ${label(result)} used ${result.loadModel.type} load, ${head.source} used ${base.loadModel.type} load; results of different load models do not merge`,
      );
    }
  }
  const measured = group.filter((g) => g.result.status !== 'skipped');
  if (measured.length === 0) return base;

  const opNames = [...new Set(measured.flatMap((g) => g.result.operations.map((o) => o.name)))];
  const durationMs = Math.max(...measured.map((g) => g.result.durationMs));
  const operations = opNames.map((name) =>
    mergeOperation(
      name,
      measured.flatMap((g) => g.result.operations.filter((o) => o.name === name)),
      durationMs,
    ),
  );
  const counters: Record<string, number> = {};
  for (const { result } of measured)
    for (const [k, v] of Object.entries(result.counters)) counters[k] = (counters[k] ?? 0) + v;
  const distNames = [...new Set(measured.flatMap((g) => Object.keys(g.result.distributions)))];
  const distributions = Object.fromEntries(
    distNames.map((name) => [
      name,
      mergeSummaries(
        measured.flatMap((g) => (g.result.distributions[name] ? [g.result.distributions[name]] : [])),
        name,
      ),
    ]),
  );
  const statusOrder = ['completed', 'incomplete', 'errored'] as const;
  const worst = measured.reduce(
    (w, g) => Math.max(w, statusOrder.indexOf(g.result.status as (typeof statusOrder)[number])),
    0,
  );
  const reasons = group.filter((g) => g.result.reason).map((g) => `${g.source}: ${g.result.reason}`);
  const loadModel = mergeLoad(measured.map((g) => g.result.loadModel));
  const lags = measured.flatMap((g) => (g.result.schedulingLag ? [g.result.schedulingLag] : []));
  return {
    ...base,
    status: statusOrder[worst] ?? 'completed',
    ...(reasons.length > 0 ? { reason: reasons.join('; ') } : { reason: undefined }),
    ...(loadModel ? { loadModel } : {}),
    durationMs,
    operations,
    counters,
    metrics: mergeMetrics(measured.map((g) => g.result.metrics)),
    distributions,
    schedulingLag: lags.length > 0 ? mergeSummaries(lags, 'schedulingLag') : undefined,
    warnings: group.flatMap((g) => g.result.warnings.map((w) => `${g.source}: ${w}`)),
  };
}

/** Whole-run load: concurrency and rate add up across shards. */
function mergeLoad(loads: readonly ScenarioResult['loadModel'][]): ScenarioResult['loadModel'] {
  const present = loads.filter((l): l is NonNullable<typeof l> => l !== undefined);
  const [first] = present;
  if (!first) return undefined;
  if (first.type === 'closed') {
    return {
      type: 'closed',
      concurrency: present.reduce((a, l) => a + (l.type === 'closed' ? l.concurrency : 0), 0),
    };
  }
  return { ...first, ratePerSec: present.reduce((a, l) => a + (l.type === 'open' ? l.ratePerSec : 0), 0) };
}

/** Harness figures: the worst shard; other derived metrics: kept only when every shard agrees (else recompute from the merged counters). */
function mergeMetrics(list: readonly Record<string, number>[]): Record<string, number> {
  const out: Record<string, number> = {};
  const names = new Set(list.flatMap((m) => Object.keys(m)));
  for (const name of names) {
    const values = list.map((m) => m[name]);
    if (values.some((v) => v === undefined)) continue;
    const nums = values as number[];
    if (name.startsWith('harness')) out[name] = Math.max(...nums);
    else if (nums.every((v) => v === nums[0])) out[name] = nums[0]!;
  }
  return out;
}

function mergeOperation(
  name: string,
  parts: readonly OperationResult[],
  durationMs: number,
): OperationResult {
  const latency = mergeSummaries(
    parts.map((p) => p.latency),
    `${name}.latency`,
  );
  const uncorrected = parts.filter((p) => p.uncorrectedLatency);
  if (uncorrected.length > 0 && uncorrected.length !== parts.length) {
    throw new MergeError(
      `operation ${name}: some inputs have an uncorrected (open-loop) histogram and some do not`,
    );
  }
  const errors: Record<string, number> = {};
  for (const p of parts) for (const [k, v] of Object.entries(p.errors)) errors[k] = (errors[k] ?? 0) + v;
  const series = new Map<number, { t: number; ops: number; p99Us: number }>();
  for (const p of parts) {
    for (const point of p.series) {
      const cur = series.get(point.t);
      // Per-second p99s cannot be merged exactly without per-second histograms: the max is an upper bound.
      if (cur)
        series.set(point.t, {
          t: point.t,
          ops: cur.ops + point.ops,
          p99Us: Math.max(cur.p99Us, point.p99Us),
        });
      else series.set(point.t, { ...point });
    }
  }
  return {
    name,
    count: latency.count,
    throughput: durationMs > 0 ? latency.count / (durationMs / 1000) : 0,
    errors,
    latency,
    ...(uncorrected.length > 0
      ? {
          uncorrectedLatency: mergeSummaries(
            uncorrected.map((p) => p.uncorrectedLatency!),
            `${name}.uncorrectedLatency`,
          ),
        }
      : {}),
    series: [...series.values()].sort((a, b) => a.t - b.t),
  };
}

function mergeSummaries(list: readonly HistogramSummary[], what: string): HistogramSummary {
  try {
    const merged = mergeHistogramSummaries(list);
    // Censored observations (timed-out probes) stay counted: a merge must not turn them into plain values.
    const censored = list.filter((h) => h.censoredCount !== undefined);
    return censored.length === 0
      ? merged
      : { ...merged, censoredCount: censored.reduce((sum, h) => sum + (h.censoredCount ?? 0), 0) };
  } catch (error) {
    throw new MergeError(`${what}: cannot merge histograms`, { cause: error });
  }
}

function label(result: ScenarioResult): string {
  return `${result.scenario}/${result.profile}${result.driver === 'dal' ? '' : ` (${result.driver})`}`;
}

/** Shards ran in processes of their own: the merged peak is the largest (absent when one is unknown). */
function peakRss(peaks: readonly (number | undefined)[]): { peakRssMb?: number } {
  return peaks.every((p) => p !== undefined) ? { peakRssMb: Math.max(...(peaks as number[])) } : {};
}

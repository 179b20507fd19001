import { describe, expect, it } from 'vitest';
import { buildResults } from '../metrics/build-results.ts';
import { decodeHistogram, mergeHistogramSummaries } from '../metrics/histogram.ts';
import { collectRunMetadata } from '../metrics/run-metadata.ts';
import { runScenario } from '../workload/runner.ts';
import { noopScenario, recordingScenario, RecordingSystem } from '../workload/test-systems.ts';
import { MergeError, mergeResults } from './merge.ts';
import type { Results } from '../results/schema.ts';

async function shard(index: number, count: number, seed = 21): Promise<Results> {
  const shardSpec = { index, count };
  const result = await runScenario({
    scenario: recordingScenario(),
    profileName: 'p',
    sut: new RecordingSystem(),
    load: { type: 'closed', concurrency: 4 },
    seed,
    warmupMs: 0,
    maxOps: 2000,
    shard: shardSpec,
  });
  return buildResults(await collectRunMetadata({ seed, config: {}, shard: shardSpec }), [result]);
}

describe('mergeResults', () => {
  it('merges shards losslessly: histograms are the union, counters and errors summed, metadata kept', async () => {
    const a = await shard(1, 2);
    const b = await shard(2, 2);
    const merged = mergeResults([
      { source: 'a.json', results: a },
      { source: 'b.json', results: b },
    ]);
    expect(merged.run.mergedFrom).toEqual([
      { id: a.run.id, shard: '1/2' },
      { id: b.run.id, shard: '2/2' },
    ]);
    expect(merged.run.shard).toBeUndefined();
    expect(merged.run.harness.peakRssMb).toBe(Math.max(a.run.harness.peakRssMb!, b.run.harness.peakRssMb!));
    const withoutPeak = { ...b, run: { ...b.run, harness: { ...b.run.harness, peakRssMb: undefined } } };
    const partial = mergeResults([
      {
        source: 'a.json',
        results: { ...a, run: { ...a.run, harness: { ...a.run.harness, peakRssMb: 1e6 } } },
      },
      { source: 'b.json', results: withoutPeak },
    ]);
    expect(partial.run.harness.peakRssMb).toBeUndefined();
    const [s] = merged.scenarios;
    expect(s!.loadModel).toEqual({ type: 'closed', concurrency: 4 });
    for (const op of s!.operations) {
      const parts = [a, b].map((r) => r.scenarios[0]!.operations.find((o) => o.name === op.name)!);
      expect(op.count).toBe(parts[0]!.count + parts[1]!.count);
      expect(op.latency).toEqual(mergeHistogramSummaries(parts.map((p) => p.latency)));
      expect(decodeHistogram(op.latency.encoded).totalCount).toBe(op.count);
      expect(op.series.reduce((x, p) => x + p.ops, 0)).toBe(op.count);
    }
    expect(s!.operations.reduce((x, o) => x + o.count, 0)).toBe(2000);
  });

  it('keeps the scheduling lag and censored counts of every shard', async () => {
    const lagOf = (r: Results) => r.scenarios[0]!.operations[0]!.latency;
    const [a, b] = await Promise.all([shard(1, 2), shard(2, 2)]);
    const withExtras = (r: Results, censoredCount: number): Results => ({
      ...r,
      scenarios: r.scenarios.map((s) => ({
        ...s,
        schedulingLag: lagOf(r),
        distributions: { consistencyLag: { ...lagOf(r), censoredCount } },
      })),
    });
    const merged = mergeResults([
      { source: 'a.json', results: withExtras(a, 2) },
      { source: 'b.json', results: withExtras(b, 3) },
    ]);
    const [s] = merged.scenarios;
    expect(s!.schedulingLag).toEqual(mergeHistogramSummaries([lagOf(a), lagOf(b)]));
    expect(s!.distributions['consistencyLag']!.censoredCount).toBe(5);
  });

  it('--driver both: the driver is part of the key, so dal merges with dal and http with http', async () => {
    // a shard of a `--driver both` run: the same scenario × profile × repeat once per driver
    const bothDrivers = (results: Results): Results => ({
      ...results,
      scenarios: results.scenarios.flatMap((s) => [s, { ...s, driver: 'http' as const }]),
    });
    const a = bothDrivers(await shard(1, 2));
    const b = bothDrivers(await shard(2, 2));
    const merged = mergeResults([
      { source: 'a.json', results: a },
      { source: 'b.json', results: b },
    ]);
    expect(merged.scenarios.map((s) => s.driver)).toEqual(['dal', 'http']);
    for (const s of merged.scenarios) expect(s.operations.reduce((x, o) => x + o.count, 0)).toBe(2000);
  });

  it('refuses inputs of different seeds, duplicate shards, or fewer than two files', async () => {
    const a = await shard(1, 2);
    const other = await shard(2, 2, 99);
    expect(() =>
      mergeResults([
        { source: 'a.json', results: a },
        { source: 'c.json', results: other },
      ]),
    ).toThrow(MergeError);
    expect(() =>
      mergeResults([
        { source: 'a.json', results: a },
        { source: 'c.json', results: other },
      ]),
    ).toThrow(/c\.json: seed 99 differs from a\.json's seed 21/);
    expect(() =>
      mergeResults([
        { source: 'a.json', results: a },
        { source: 'a2.json', results: a },
      ]),
    ).toThrow(/a2\.json: shard 1\/2 appears twice/);
    expect(() => mergeResults([{ source: 'a.json', results: a }])).toThrow(/at least two/);
  });

  it('refuses to merge closed-loop and open-loop results of one scenario', async () => {
    const closed = await shard(1, 2);
    const open = await runScenario({
      scenario: recordingScenario(),
      profileName: 'p',
      sut: new RecordingSystem(),
      load: { type: 'open', ratePerSec: 200, arrival: 'constant' },
      seed: 21,
      warmupMs: 0,
      durationMs: 200,
      shard: { index: 2, count: 2 },
    });
    const openResults = buildResults(
      await collectRunMetadata({ seed: 21, config: {}, shard: { index: 2, count: 2 } }),
      [open],
    );
    expect(() =>
      mergeResults([
        { source: 'closed.json', results: closed },
        { source: 'open.json', results: openResults },
      ]),
    ).toThrow(/open\.json: recording\/p used open load, closed\.json used closed load/);
  });

  it('keeps open-loop uncorrected histograms and marks the merge incomplete when a shard was', async () => {
    const run = async (index: number, signal?: AbortSignal) => {
      const r = await runScenario({
        scenario: noopScenario(),
        profileName: 'p',
        sut: undefined,
        load: { type: 'open', ratePerSec: 400, arrival: 'poisson' },
        seed: 4,
        warmupMs: 0,
        durationMs: 300,
        shard: { index, count: 2 },
        ...(signal ? { signal } : {}),
      });
      return buildResults(await collectRunMetadata({ seed: 4, config: {}, shard: { index, count: 2 } }), [r]);
    };
    const controller = new AbortController();
    setTimeout(() => controller.abort(), 100);
    const [a, b] = await Promise.all([run(1), run(2, controller.signal)]);
    expect(b.run.status).toBe('incomplete');
    const merged = mergeResults([
      { source: 'a.json', results: a },
      { source: 'b.json', results: b },
    ]);
    expect(merged.run.status).toBe('incomplete');
    expect(merged.scenarios[0]!.status).toBe('incomplete');
    const op = merged.scenarios[0]!.operations[0]!;
    expect(op.uncorrectedLatency?.count).toBe(op.count);
    expect(merged.scenarios[0]!.counters.scheduledOps).toBe(
      a.scenarios[0]!.counters.scheduledOps! + b.scenarios[0]!.counters.scheduledOps!,
    );
    expect(merged.scenarios[0]!.loadModel).toEqual({ type: 'open', ratePerSec: 400, arrival: 'poisson' });
  });
});

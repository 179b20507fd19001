// compare's verdicts on synthetic runs with known truth (issue 14 §3): small repeats conclude when the
// data can, single runs get a within-run interval, comparisons across invocations are judged on the
// spread between invocations (or say they cannot be), the driver is part of the key, and the verdict
// column says one thing.
import { captureIo } from '../support/capture-io.ts';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { main } from '../../harness/cli/main.ts';
import { compareProfiles, compareResults, regressions } from '../../harness/report/compare.ts';
import { compareCells, verdictText } from '../../harness/report/compare-format.ts';
import type { Results } from '../../harness/results/schema.ts';
import { calibrateNoise } from '../../harness/stats/noise.ts';
import { syntheticInvocation, type SyntheticRow } from './support/synthetic-invocation.ts';

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'dalbench-compare-verdicts-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});
const write = async (name: string, results: Results) => {
  const path = join(dir, name);
  await writeFile(path, JSON.stringify(results));
  return path;
};

const search = (profile: string, medianMs: number): SyntheticRow => ({
  scenario: 'experiment-search',
  profile,
  operation: 'search',
  medianMs,
});
const query: SyntheticRow = {
  scenario: 'metrics-query',
  profile: 'polyglot',
  operation: 'query',
  medianMs: 3,
};

describe('small repeats conclude when the data can', () => {
  it('3 interleaved repeats: search p50 +1,549 % with Cliff δ = 1 is "slower", not inconclusive', () => {
    const run = syntheticInvocation({
      runId: 'r1',
      seed: 1,
      repeats: 3,
      repeatSigma: 0.1,
      rows: [search('polyglot', 4), search('single-postgres', 66)],
    });
    const c = compareProfiles(run, 'run', 'polyglot', 'single-postgres', { seed: 1 });
    const p50 = c.rows.find((r) => r.metric === 'p50')!;
    expect(p50.result.changePct).toBeGreaterThan(1000);
    expect(p50.result.cliffsDelta).toBe(1);
    expect(p50.result.verdict).toBe('slower');
    expect(p50.result.note).toMatch(/Welch t on log values/);
    expect(c.rows.find((r) => r.metric === 'throughput')!.result.verdict).toBe('slower');
  });

  it('a change the repeats cannot decide prints the repeats it would need', () => {
    const run = syntheticInvocation({
      runId: 'r2',
      seed: 2,
      repeats: 3,
      repeatSigma: 0.1,
      rows: [search('polyglot', 4), search('single-postgres', 4 * 1.08)],
    });
    const p50 = compareProfiles(run, 'run', 'polyglot', 'single-postgres', { seed: 2 }).rows.find(
      (r) => r.metric === 'p50',
    )!;
    expect(p50.result.verdict).toBe('inconclusive');
    const needed = /≥ (\d+) repeats per side needed/.exec(p50.result.note);
    expect(needed, p50.result.note).not.toBeNull();
    expect(Number(needed![1])).toBeGreaterThan(3);
    expect(verdictText(p50)).toMatch(/≥ \d+ repeats/);
  });
});

describe('single runs: a within-run interval from per-second windows', () => {
  it('one repeat per profile: throughput and p99 carry a within-run block-bootstrap interval, labelled as such', () => {
    const run = syntheticInvocation({
      runId: 'r3',
      seed: 3,
      seconds: 30,
      rows: [search('polyglot', 4), search('single-postgres', 6)],
    });
    const c = compareProfiles(run, 'run', 'polyglot', 'single-postgres', { seed: 3 });
    for (const metric of ['throughput', 'p99'] as const) {
      const row = c.rows.find((r) => r.metric === metric)!;
      expect(row.result.changeCi, metric).toBeDefined();
      expect(row.result.intervalKind).toBe('within-run');
      expect(compareCells(row).join(' ')).toMatch(/within-run/);
    }
    // No per-second p50 in the series: said, not invented.
    expect(c.rows.find((r) => r.metric === 'p50')!.result.note).toMatch(/no per-second p50/);
  });
});

describe('across invocations the verdict rests on the spread between invocations', () => {
  const rows = [query, search('polyglot', 4)];
  const invocation = (runId: string, seed: number, factor: number, repeats = 5) =>
    syntheticInvocation({ runId, seed, repeats, repeatSigma: 0.03, invocationFactor: factor, rows });

  it('without calibrated spread, a +30 % invocation effect is not a regression: the row says it cannot judge', () => {
    const c = compareResults(
      { label: 'a.json', results: invocation('a', 10, 1) },
      { label: 'b.json', results: invocation('b', 11, 1.3) },
      { thresholdPct: 10, seed: 1 },
    );
    expect(regressions(c)).toEqual([]);
    const p50 = c.rows.find((r) => r.metric === 'p50' && r.operation === 'query')!;
    expect(p50.result.verdict).toBe('inconclusive');
    expect(p50.result.note).toMatch(/cannot judge across invocations/);
  });

  it('with noise.json from separate invocations, the same effect is within the calibrated spread and a 3× change is not', () => {
    // Calibration: six separate invocations whose invocation effect has σ ≈ 0.2 on the log scale.
    const factors = [1, 1.25, 0.82, 1.1, 0.9, 1.3];
    const noise = calibrateNoise(
      factors.map((f, i) => ({ path: `aa-${i}.json`, results: invocation(`aa-${i}`, 100 + i, f) })),
    );
    expect(noise.spread).toBe('between-invocations');
    const unchanged = compareResults(
      { label: 'a.json', results: invocation('a', 10, 1) },
      { label: 'b.json', results: invocation('b', 11, 1.3) },
      { thresholdPct: 10, seed: 1, noise },
    );
    expect(regressions(unchanged)).toEqual([]);
    const p50 = unchanged.rows.find((r) => r.metric === 'p50' && r.operation === 'query')!;
    expect(p50.result.note).toMatch(/between invocations/);
    const tripled = compareResults(
      { label: 'a.json', results: invocation('a', 10, 1) },
      {
        label: 'c.json',
        results: syntheticInvocation({
          runId: 'c',
          seed: 12,
          repeats: 5,
          repeatSigma: 0.03,
          rows,
          rowFactor: (row) => (row.operation === 'query' ? 3 : 1),
        }),
      },
      { thresholdPct: 10, seed: 1, noise },
    );
    const slow = tripled.rows.find((r) => r.metric === 'p50' && r.operation === 'query')!;
    expect(slow.result.verdict).toBe('slower');
    expect(regressions(tripled).every((r) => r.operation === 'query')).toBe(true);
  });

  it('calibrate records which spread it measured: separate invocations, or repeats within one', () => {
    const between = calibrateNoise([
      { path: 'a.json', results: invocation('a', 1, 1, 2) },
      { path: 'b.json', results: invocation('b', 2, 1, 2) },
    ]);
    expect(between.spread).toBe('between-invocations');
    const within = calibrateNoise([{ path: 'one.json', results: invocation('one', 3, 1, 4) }]);
    expect(within.spread).toBe('within-invocation');
  });
});

describe('the driver is part of the key', () => {
  it('a --driver both run never compares dal with http, nor pools them as repeats', () => {
    const rows: SyntheticRow[] = [
      { ...query, driver: 'dal', medianMs: 1 },
      { ...query, driver: 'http', medianMs: 5 },
    ];
    const base = syntheticInvocation({ runId: 'a', seed: 20, repeats: 3, repeatSigma: 0.02, rows });
    const same = syntheticInvocation({ runId: 'a', seed: 21, repeats: 3, repeatSigma: 0.02, rows });
    const c = compareResults({ label: 'a', results: base }, { label: 'b', results: same }, { seed: 1 });
    expect(new Set(c.rows.map((r) => r.driver))).toEqual(new Set(['dal', 'http']));
    for (const row of c.rows) expect(row.result.nBase).toBe(3);
    expect(c.rows.filter((r) => r.metric === 'p50').every((r) => r.result.verdict !== 'slower')).toBe(true);
  });
});

describe('compare --fail-on-regression says when it cannot gate', () => {
  it('two single runs of separate invocations, no noise.json: stderr says so and exits 2; --allow-inconclusive exits 0', async () => {
    const a = await write('single-a.json', syntheticInvocation({ runId: 'sa', seed: 30, rows: [query] }));
    const b = await write(
      'single-b.json',
      syntheticInvocation({ runId: 'sb', seed: 31, rows: [query], invocationFactor: 1.5 }),
    );
    const io = captureIo();
    expect(await main(['compare', a, b, '--fail-on-regression', '10%', '--out', join(dir, 'c1')], io)).toBe(
      2,
    );
    expect(io.stderr).toMatch(/cannot gate/);
    const io2 = captureIo();
    expect(
      await main(
        ['compare', a, b, '--fail-on-regression', '10%', '--allow-inconclusive', '--out', join(dir, 'c2')],
        io2,
      ),
    ).toBe(0);
    expect(io2.stderr).toMatch(/inconclusive/);
  });

  it('the verdict column says one thing: a too-noisy row never shows "✘ regression" beside "inconclusive"', () => {
    const files = [0, 1, 2].map((i) => ({
      path: `n-${i}.json`,
      results: syntheticInvocation({
        runId: `n-${i}`,
        seed: 40 + i,
        rows: [query],
        invocationFactor: 1 + 0.1 * i,
      }),
    }));
    const noise = calibrateNoise(files, { maxCv: 0.001 }); // everything too noisy to gate
    const c = compareResults(
      { label: 'a', results: syntheticInvocation({ runId: 'x', seed: 50, rows: [query] }) },
      {
        label: 'b',
        results: syntheticInvocation({ runId: 'y', seed: 51, rows: [query], invocationFactor: 1.5 }),
      },
      { thresholdPct: 10, seed: 1, noise },
    );
    for (const row of c.rows) {
      const text = verdictText(row);
      expect(row.tooNoisy).toBe(true);
      expect(text, text).not.toMatch(/✘/);
      expect(text.includes('inconclusive') && /slower|faster/.test(text), text).toBe(false);
    }
    expect(regressions(c)).toEqual([]);
  });
});

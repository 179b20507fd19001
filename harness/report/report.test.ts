import { captureIo } from '../../test/support/capture-io.ts';
import { mkdtemp, readFile, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { main } from '../cli/main.ts';
import { evaluateBudgets } from '../budgets/evaluate.ts';
import { loadBudgetSet } from '../budgets/load.ts';
import { compareProfiles, compareResults, confirmRegressions, regressions } from './compare.ts';
import { adrScenariosAtM, syntheticResults } from './fixtures/synthetic-results.ts';
import { loadReportAssets } from './html-shell.ts';
import { renderJunit } from './junit.ts';
import { renderHtmlReport } from './report-html.ts';
import { calibrateNoise } from '../stats/noise.ts';
import { renderSummaryMarkdown } from './summary-markdown.ts';
import type { Results, Verdict } from '../results/schema.ts';
import { renderVerdictText } from './verdict-text.ts';

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'dalbench-report-test-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

const write = async (name: string, value: unknown) => {
  const path = join(dir, name);
  await writeFile(path, typeof value === 'string' ? value : JSON.stringify(value));
  return path;
};

describe('compare on synthetic results with known differences', () => {
  const base = syntheticResults({ seed: 20, repeats: 5, noiseCv: 0.03, samplesPerOperation: 200 });
  const same = syntheticResults({ seed: 21, repeats: 5, noiseCv: 0.03, samplesPerOperation: 200 });
  const slower = syntheticResults({
    seed: 22,
    repeats: 5,
    noiseCv: 0.03,
    samplesPerOperation: 200,
    factor: (s, p) => (p === 'polyglot' ? (s === 'metrics-query' ? 1.5 : 1) : 2.5),
  });

  it('an unchanged run shows no regression given the calibrated noise; a 50 % slower scenario is flagged slower with an effect size', () => {
    const aa = [
      base,
      same,
      ...[23, 24].map((seed) =>
        syntheticResults({ seed, repeats: 5, noiseCv: 0.03, samplesPerOperation: 200 }),
      ),
    ];
    const noise = calibrateNoise(aa.map((results, i) => ({ path: `aa-${i}`, results })));
    const unchanged = compareResults(
      { label: 'a', results: base },
      { label: 'b', results: same },
      { thresholdPct: 10, seed: 1, noise },
    );
    // each row is its own test at alpha 0.05: across ~150 rows a few tail metrics may flag (nominal rate) …
    expect(regressions(unchanged).length).toBeLessThanOrEqual(Math.ceil(unchanged.rows.length * 0.05));
    // … and with FDR control over the whole table, none does
    expect(
      regressions(
        compareResults(
          { label: 'a', results: base },
          { label: 'b', results: same },
          { thresholdPct: 10, seed: 1, fdr: true },
        ),
      ),
    ).toEqual([]);
    // Gated the way CI gates: with the calibrated noise, so chance tail moves (p99.9 of 200 samples) don't count.
    const changed = compareResults(
      { label: 'a', results: base },
      { label: 'c', results: slower },
      { thresholdPct: 10, seed: 1, noise },
    );
    const p50 = changed.rows.find(
      (r) => r.scenario === 'metrics-query' && r.profile === 'polyglot' && r.metric === 'p50',
    )!;
    expect(p50.result.verdict).toBe('slower');
    expect(p50.result.changePct).toBeGreaterThan(35);
    expect(p50.result.effect).toBe('large');
    expect(p50.result.changeCi?.[0]).toBeGreaterThan(10);
    expect(
      changed.rows.find(
        (r) => r.scenario === 'metrics-query' && r.profile === 'polyglot' && r.metric === 'throughput',
      )?.result.verdict,
    ).toBe('slower');
    expect(
      regressions(changed).every((r) => r.scenario === 'metrics-query' && r.profile === 'polyglot'),
    ).toBe(true);
  });

  it('profiles within one run compare the same way', () => {
    const c = compareProfiles(base, 'run', 'single-postgres', 'polyglot', { seed: 1 });
    expect(c.rows.filter((r) => r.metric === 'p50').every((r) => r.result.verdict === 'faster')).toBe(true);
  });

  it('--confirm: a regression that does not hold on re-runs is "not confirmed"', async () => {
    const aa = [
      base,
      same,
      ...[23, 24].map((seed) =>
        syntheticResults({ seed, repeats: 5, noiseCv: 0.03, samplesPerOperation: 200 }),
      ),
    ];
    const noise = calibrateNoise(aa.map((results, i) => ({ path: `aa-${i}`, results })));
    const changed = compareResults(
      { label: 'a', results: base },
      { label: 'c', results: slower },
      { thresholdPct: 10, seed: 1, noise },
    );
    const asked: string[] = [];
    const confirmed = await confirmRegressions(changed, base, {
      confirm: 3,
      noise,
      rerun: (req) => {
        asked.push(`${req.scenario}/${req.profiles.join(',')}x${req.times}`);
        return Promise.resolve(
          same.scenarios.filter((s) => s.scenario === req.scenario && req.profiles.includes(s.profile)),
        );
      },
    });
    expect(asked.length).toBeGreaterThan(0);
    expect(asked).toContain('metrics-query/polyglotx3');
    expect(regressions(confirmed)).toEqual([]);
    expect(confirmed.rows.some((r) => r.confirmation === 'not-confirmed')).toBe(true);
  });

  it('different scenario sets are an error naming both files', () => {
    const fewer = { ...same, scenarios: same.scenarios.filter((s) => s.scenario !== 'migration') };
    expect(() =>
      compareResults({ label: 'base.json', results: base }, { label: 'new.json', results: fewer }),
    ).toThrow(/new\.json: different scenario set from base\.json: only in base\.json: migration/);
  });
});

describe('renderers', () => {
  it('report.html is self-contained (no external URL), has verdicts, charts with tables, metadata; under 1.5 MB', async () => {
    const results = syntheticResults({ seed: 30, repeats: 2 });
    const verdicts = evaluateBudgets(results, await loadBudgetSet('adr-024'));
    const html = renderHtmlReport(results, await loadReportAssets(), { verdicts });
    expect(Buffer.byteLength(html)).toBeLessThan(1.5 * 1024 * 1024);
    expect(html).not.toMatch(/(src|href)\s*=\s*["']?(https?:)?\/\//i);
    expect(html).not.toMatch(/@import|url\(\s*["']?https?:/i);
    expect(html).toContain('id="verdicts"');
    expect(html).toContain('Sub-second response times');
    expect(html).toContain('latency by percentile');
    expect(html).toContain('Data table');
    expect(html).toContain('15.x (synthetic)');
    expect(html).not.toContain('</script><script>alert');
  });

  it('escapes hostile names everywhere', async () => {
    const results = syntheticResults({
      seed: 31,
      profiles: ['polyglot'],
      scenarios: [
        { name: 'x', operations: [{ name: '</script><img src=x onerror=alert(1)>', medianMs: 1 }] },
      ],
    });
    const html = renderHtmlReport(results, await loadReportAssets());
    expect(html).not.toContain('<img src=x');
  });

  it('summary.md and junit.xml carry one line / test case per verdict; failures are failures, not evaluated is an error', async () => {
    const results = syntheticResults({
      seed: 32,
      scenarios: adrScenariosAtM(),
      status: (s, p) => (s === 'migration' ? 'errored' : p === 'x' ? 'skipped' : 'completed'),
    });
    const verdicts = evaluateBudgets(results, await loadBudgetSet('adr-024'));
    const junit = renderJunit(results, { verdicts });
    expect(junit.match(/<testcase /g)).toHaveLength(verdicts.length);
    expect(junit).toContain('<error message="NOT EVALUATED');
    const notEvaluated = verdicts.filter((v) => v.status === 'not-evaluated').length;
    expect(notEvaluated).toBe(6); // migrationMismatches(migration) and errorRate(*, *) over its 3 profiles
    expect(junit).toContain(`errors="${notEvaluated}"`);
    const summary = renderSummaryMarkdown(results, { verdicts });
    expect(summary).toContain(
      `${verdicts.length - notEvaluated} passed, 0 failed, ${notEvaluated} not evaluated`,
    );
    expect(summary).toContain('⚠ NOT EVALUATED');
  });

  it('inconclusive and not-in-run verdicts read as what they are in every format', () => {
    const results = syntheticResults({ seed: 33, profiles: ['polyglot'] });
    const verdicts: Verdict[] = [
      {
        budget: 'improvement(metrics-query.query.p50, polyglot vs single-postgres) >= 50%',
        status: 'inconclusive',
        measured: 45,
        limit: 50,
        unit: '%',
        margin: -5,
        message:
          'INCONCLUSIVE (within noise): measured 45% misses >= 50% by 5.0 pp, inside the measured noise band ±9.0 pp',
      },
      {
        budget: 'p99(realtime-detection.request, polyglot) < 1000ms',
        status: 'not-in-run',
        measured: null,
        limit: 1000,
        unit: 'ms',
        margin: null,
        message: 'NOT IN THIS RUN: scenario "realtime-detection" was not selected (this run: metrics-query)',
      },
    ];
    const text = renderVerdictText(verdicts);
    expect(text).toContain('? INCONCLUSIVE');
    expect(text).toContain('· NOT IN THIS RUN');
    expect(text).toMatch(/0 passed, 0 failed, 0 not evaluated, 1 inconclusive, 1 not in this run/);
    const junit = renderJunit(results, { verdicts });
    expect(junit).toContain('<error message="INCONCLUSIVE');
    expect(junit).toContain('type="Inconclusive"');
    expect(junit).toMatch(/<skipped message="NOT IN THIS RUN/);
    expect(junit).toContain('errors="1"');
    expect(junit).toContain('skipped="1"');
    const summary = renderSummaryMarkdown(results, { verdicts });
    expect(summary).toContain('? INCONCLUSIVE');
    expect(summary).toContain('1 inconclusive, 1 not in this run');
    // "within noise" only where noise was measured, never as a confirmation word
    expect(summary.match(/within noise/g)).toHaveLength(1);
  });

  it('verdict text, junit.xml and summary.md say what was measured where it differs from the ADR', async () => {
    const base = syntheticResults({
      seed: 34,
      profiles: ['polyglot'],
      scenarios: [{ name: 'metrics-query', operations: [{ name: 'query', medianMs: 3 }] }],
    });
    const results: Results = {
      ...base,
      run: {
        ...base.run,
        unavailableStores: { timescaledb: 'DALBENCH_TIMESCALE_URL is not set' },
        stores: [
          ...base.run.stores,
          {
            kind: 'elasticsearch',
            mode: 'local',
            url: 'http://127.0.0.1:9200',
            serverVersion: '8.19.0',
            startMs: 9000,
            notes: ['integ-test archive, heap 512 MiB'],
          },
          {
            kind: 's3',
            mode: 'local',
            url: 'http://127.0.0.1:9000',
            serverVersion: 'S3Proxy 2.6.0',
            startMs: 900,
            notes: ['S3Proxy filesystem-nio2: not a performance peer of MinIO or a cloud S3'],
          },
        ],
      },
      scenarios: base.scenarios.map((s) => ({
        ...s,
        warnings: [
          "WARNING: TimescaleDB unavailable; time-series ran on the partitioned-PostgreSQL backend, not the ADR's choice",
        ],
      })),
    };
    const verdicts = evaluateBudgets(
      results,
      (await import('../budgets/resolve.ts')).resolveBudgetSet(
        { name: 't', budgets: [{ expr: 'p99(metrics-query.query, polyglot) < 1ms' }] },
        't',
      ),
    );
    const timescale =
      'time-series on range-partitioned PostgreSQL, not TimescaleDB (DALBENCH_TIMESCALE_URL is not set)';
    const heap = 'elasticsearch 8.19.0 (local): integ-test archive, heap 512 MiB';
    const s3 = 's3 S3Proxy 2.6.0 (local): S3Proxy filesystem-nio2';
    for (const [format, text] of [
      ['text', renderVerdictText(verdicts, results)],
      ['junit', renderJunit(results, { verdicts })],
      ['summary', renderSummaryMarkdown(results, { verdicts })],
      ['html', renderHtmlReport(results, await loadReportAssets(), { verdicts })],
    ] as const) {
      expect(text, format).toContain(timescale);
      expect(text, format).toContain(heap);
      expect(text, format).toContain(s3);
    }
    // per verdict too: the failure message in junit.xml carries it
    expect(renderJunit(results, { verdicts })).toMatch(
      /<failure message="FAIL[^"]*measured on: time-series on range-partitioned PostgreSQL/,
    );
  });
});

describe("the DAL's own cost beside the comparison", () => {
  it('summary.md and report.html show the worst path per measured store, flag one over target, and say which stores were not measured', async () => {
    const base = syntheticResults({ seed: 35, profiles: ['polyglot'] });
    const path = (id: string, judged: number, status: 'within' | 'over') => ({
      id,
      title: id,
      ratio: judged,
      judged,
      interval: [judged - 0.03, judged + 0.03] as [number, number],
      maxRatio: 1.1,
      status,
    });
    const results: Results = {
      ...base,
      run: {
        ...base.run,
        dalOverhead: {
          measured: [
            {
              store: 'redis',
              identity: 'redis Redis 7.0.15 (local) on box',
              measuredAt: '2026-12-01T10:00:00.000Z',
              gitRevision: '0123456789abcdef',
              paths: [path('redis.cache-get', 1.02, 'within'), path('redis.cache-set', 1.06, 'within')],
            },
            {
              store: 's3',
              identity: 's3 S3Proxy 4.1.0 (local) on box',
              measuredAt: '2026-12-01T10:00:00.000Z',
              gitRevision: null,
              paths: [path('objects.get-4k', 1.42, 'over')],
            },
          ],
          notMeasured: {
            postgres: 'not measured on postgres PostgreSQL 15 (local) on box: run `npm run bench:dal`',
          },
        },
      },
    };
    const summary = renderSummaryMarkdown(results);
    expect(summary).toContain('worst path redis.cache-set DAL ÷ raw 1.06 [1.03, 1.09]');
    expect(summary).toContain('at 0123456');
    expect(summary).toMatch(
      /- ⚠ s3: worst path objects\.get-4k DAL ÷ raw 1\.42.*1 of 1 paths OVER their target: objects\.get-4k/,
    );
    expect(summary).toContain('postgres: not measured on postgres PostgreSQL 15');
    const html = renderHtmlReport(results, await loadReportAssets());
    expect(html).toMatch(/<ul class="dal-overhead"><li>redis: worst path redis\.cache-set/);
    expect(html).toMatch(/<li class="over">s3: worst path objects\.get-4k/);
    // a run without the record says nothing rather than inventing a figure
    expect(renderSummaryMarkdown(base)).not.toContain("DAL's own cost");
  });
});

describe('CLI: check, compare, report, calibrate', () => {
  it('check exits 0 when all pass, 1 on a breach, 2 when not evaluated, 1 with --skipped-as-fail', async () => {
    const good = await write('good.json', syntheticResults({ seed: 50 }));
    const io = captureIo();
    expect(await main(['check', good, '--budgets', 'adr-024'], io)).toBe(0);
    expect(io.stdout).toMatch(/\d\d passed, 0 failed, 0 not evaluated/);
    const breach = await write(
      'breach.json',

      syntheticResults({
        seed: 51,
        factor: (s, p) => (p === 'polyglot' && s === 'realtime-detection' ? 300 : p === 'polyglot' ? 1 : 2.5),
      }),
    );
    expect(await main(['check', breach, '--budgets', 'adr-024'], captureIo())).toBe(1);
    const broken = await write(
      'broken.json',

      syntheticResults({ seed: 52, status: (s) => (s === 'realtime-detection' ? 'errored' : 'completed') }),
    );
    expect(await main(['check', broken, '--budgets', 'adr-024'], captureIo())).toBe(2);
    expect(await main(['check', broken, '--budgets', 'adr-024', '--skipped-as-fail'], captureIo())).toBe(1);
  });

  it('input errors exit 2 with the file named, and leave no report behind', async () => {
    const truncated = await write(
      'truncated.json',
      JSON.stringify(syntheticResults({ seed: 53 })).slice(0, 500),
    );
    const out = join(dir, 'out-truncated');
    const io = captureIo();
    expect(await main(['report', truncated, '--out', out], io)).toBe(2);
    expect(io.stderr).toContain('truncated.json');
    await expect(readdir(out)).rejects.toThrow();

    const budgets = await write('bad.yaml', 'name: b\nbudgets:\n  - expr: "p99(nope.request) < 1ms"\n');
    const good = await write('good2.json', syntheticResults({ seed: 54, profiles: ['polyglot'] }));
    const io2 = captureIo();
    expect(await main(['check', good, '--budgets', budgets], io2)).toBe(2);
    expect(io2.stderr).toMatch(/bad\.yaml: budget "p99\(nope\.request\) < 1ms": selects nothing/);

    const io3 = captureIo();
    expect(await main(['report', '--history', join(dir, 'no-such-dir', '*', 'results.json')], io3)).toBe(2);
    expect(io3.stderr).toMatch(/history glob matched no results file/);

    const other = await write(
      'other.json',
      syntheticResults({
        seed: 55,
        profiles: ['polyglot'],
        scenarios: [{ name: 'z', operations: [{ name: 'o', medianMs: 1 }] }],
      }),
    );
    const io4 = captureIo();
    expect(await main(['compare', good, other, '--out', join(dir, 'cmp-bad')], io4)).toBe(2);
    expect(io4.stderr).toMatch(/other\.json: different scenario set/);
    await expect(readdir(join(dir, 'cmp-bad'))).rejects.toThrow();
  });

  it('report writes report.html, summary.md, junit.xml and appends to $GITHUB_STEP_SUMMARY', async () => {
    const results = syntheticResults({ seed: 56 });
    const path = await write('run.json', results);
    const baseline = await write('base.json', syntheticResults({ seed: 57 }));
    const stepSummary = join(dir, 'step-summary.md');
    const out = join(dir, 'report-out');
    expect(
      await main(
        ['report', path, '--budgets', 'adr-024', '--baseline', baseline, '--out', out],
        captureIo({ GITHUB_STEP_SUMMARY: stepSummary }),
      ),
    ).toBe(0);
    expect((await readdir(out)).sort()).toEqual(['junit.xml', 'report.html', 'summary.md']);
    expect(await readFile(join(out, 'report.html'), 'utf8')).toContain('Against baseline');
    expect(await readFile(stepSummary, 'utf8')).toMatch(/## dalbench: \d\d passed, 0 failed/);
  });

  it('calibrate then compare of two unchanged runs reports no regression; history renders', async () => {
    const files = await Promise.all(
      [0, 1, 2, 3].map((i) =>
        write(`aa-${i}.json`, syntheticResults({ seed: 60 + i, noiseCv: 0.03, samplesPerOperation: 200 })),
      ),
    );
    const noisePath = join(dir, 'noise.json');
    const io = captureIo();
    expect(await main(['calibrate', ...files, '--out', noisePath], io)).toBe(0);
    expect(io.stdout).toMatch(/noise from 4 runs/);
    const compareArgs = [
      'compare',
      files[0]!,
      files[1]!,
      '--noise',
      noisePath,
      '--fail-on-regression',
      '10%',
      '--out',
      join(dir, 'cmp'),
    ];
    // Single runs decide nothing a gate could rely on: compare says so and exits 2 …
    const gated = captureIo();
    expect(await main(compareArgs, gated)).toBe(2);
    expect(gated.stderr).toMatch(/cannot gate/);
    // … unless the user accepts inconclusive rows; no row is a regression either way.
    const io2 = captureIo();
    expect(await main([...compareArgs, '--allow-inconclusive'], io2)).toBe(0);
    expect(io2.stdout).toMatch(/0 regression\(s\)/);
    expect((await readdir(join(dir, 'cmp'))).sort()).toEqual(['compare.html', 'compare.md']);

    const hist = join(dir, 'hist');
    expect(
      await main(
        ['report', '--history', join(dir, 'aa-*.json'), '--budgets', 'adr-024', '--out', hist],
        captureIo(),
      ),
    ).toBe(0);
    expect(await readFile(join(hist, 'history.html'), 'utf8')).toContain('dalbench history');
  });
});

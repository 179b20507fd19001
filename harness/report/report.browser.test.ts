// report.html in a real browser (Debian's chromium via playwright-core): no console error, no network
// request, verdict table present, every chart rendered with data points, screenshot for the README.
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { chromium, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { requireStore } from '../../test/support/stores.ts';
import { resolvePlan } from '../run/resolve-plan.ts';
import { runBenchmark } from '../run/run-benchmark.ts';
import { borrowStores } from '../run/shared-stores.ts';
import { evaluateBudgets } from '../budgets/evaluate.ts';
import { loadBudgetSet } from '../budgets/load.ts';
import { syntheticResults, syntheticSweep } from './fixtures/synthetic-results.ts';
import { writeReports } from './write.ts';

const CHROMIUM = process.env['DALBENCH_CHROMIUM'] ?? '/usr/bin/chromium';
const missing = existsSync(CHROMIUM)
  ? undefined
  : `no Chromium at ${CHROMIUM}: install it with "apt-get install -y chromium" (or set DALBENCH_CHROMIUM)`;

/** Open report.html offline in Chromium and check it the way a person would look at it. */
async function checkInBrowser(
  written: { html: string; htmlBytes: number },
  verdicts: readonly unknown[],
  minCharts: number,
  screenshot: boolean,
  more?: (page: Page) => Promise<void>,
): Promise<void> {
  const browser = await chromium.launch({
    executablePath: CHROMIUM,
    args: [
      '--headless',
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
    ],
  });
  try {
    const context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
    const page = await context.newPage();
    const problems: string[] = [];
    const requests: string[] = [];
    page.on('console', (m) => {
      if (m.type() === 'error' || m.type() === 'warning') problems.push(`${m.type()}: ${m.text()}`);
    });
    page.on('pageerror', (e) => problems.push(`pageerror: ${e.message}`));
    context.on('request', (r) => requests.push(r.url()));
    const url = pathToFileURL(written.html).href;
    const started = Date.now();
    await page.goto(url, { waitUntil: 'load' });
    await page.waitForSelector('body[data-charts-rendered]');
    const loadMs = Date.now() - started;

    expect(problems).toEqual([]);
    expect(requests).toEqual([url]);
    expect(await page.locator('#verdicts tbody tr').count()).toBe(verdicts.length);
    const charts = await page.evaluate(
      () =>
        (window as unknown as { __dalbenchCharts: { id: string; series: number; points: number }[] })
          .__dalbenchCharts,
    );
    const placeholders = await page.locator('div.plot').count();
    expect(charts.length).toBe(placeholders);
    expect(charts.length).toBeGreaterThanOrEqual(minCharts);
    for (const chart of charts) {
      expect(chart.series, chart.id).toBeGreaterThan(0);
      expect(chart.points, chart.id).toBeGreaterThan(0);
    }
    // canvases are not blank: some pixel differs from the first one
    const blank = await page.evaluate(
      () =>
        Array.from(document.querySelectorAll('div.plot canvas')).filter((node) => {
          const canvas = node as HTMLCanvasElement;
          const data = canvas.getContext('2d')!.getImageData(0, 0, canvas.width, canvas.height).data;
          for (let i = 4; i < data.length; i += 4) {
            if (
              data[i] !== data[0] ||
              data[i + 1] !== data[1] ||
              data[i + 2] !== data[2] ||
              data[i + 3] !== data[3]
            )
              return false;
          }
          return true;
        }).length,
    );
    expect(blank).toBe(0);
    expect(loadMs).toBeLessThan(10_000);
    await more?.(page);

    // The screenshot always goes beside the report; the README's copy is refreshed only on request
    // (DALBENCH_UPDATE_SCREENSHOT=1), so a test run never modifies tracked files.
    const shot = await page.screenshot({
      path: join(dirname(written.html), 'screenshot.png'),
      fullPage: false,
    });
    expect(shot.length).toBeGreaterThan(10_000);
    if (screenshot && process.env['DALBENCH_UPDATE_SCREENSHOT'] === '1') {
      const docs = resolve(import.meta.dirname, '../../docs');
      await mkdir(docs, { recursive: true });
      await writeFile(join(docs, 'report-screenshot.png'), shot);
    }
    console.info(
      `report.html ${(written.htmlBytes / 1024).toFixed(0)} KiB, ${charts.length} charts, loaded+rendered in ${loadMs} ms`,
    );
  } finally {
    await browser.close();
  }
}

describe.skipIf(missing !== undefined)(
  `report.html in headless Chromium${missing ? ` — skipped: ${missing}` : ''}`,
  () => {
    let dir: string;
    beforeAll(async () => {
      dir = await mkdtemp(join(tmpdir(), 'dalbench-browser-'));
    });
    afterAll(async () => {
      await rm(dir, { recursive: true, force: true });
    });

    it('a real small run renders offline with no console error and no request, every chart has data; takes a screenshot (README copy: DALBENCH_UPDATE_SCREENSHOT=1)', async () => {
      const plan = resolvePlan(
        {
          quick: true,
          scenario: 'metrics-query,dashboard-reads',
          profile: 'polyglot,single-postgres',
          duration: '1s',
          warmup: '200ms',
          concurrency: '2',
        },
        undefined,
        () => 7,
      );
      const endpoints = Object.fromEntries(
        (['postgres', 'redis', 'elasticsearch', 's3'] as const).map((kind) => [kind, requireStore(kind)]),
      );
      const results = await runBenchmark(plan, {
        provision: () =>
          Promise.resolve(
            borrowStores({
              endpoints,
              unavailable: {},
              stop: () => Promise.resolve(),
              [Symbol.asyncDispose]: () => Promise.resolve(),
            }),
          ),
      });
      expect(results.scenarios.map((s) => `${s.scenario}/${s.profile}:${s.status}`)).toEqual([
        'metrics-query/polyglot:completed',
        'metrics-query/single-postgres:completed',
        'dashboard-reads/polyglot:completed',
        'dashboard-reads/single-postgres:completed',
      ]);
      const budgetFile = join(dir, 'budgets.yaml');
      await writeFile(
        budgetFile,
        [
          'name: browser-test',
          'budgets:',
          '  - expr: p99(metrics-query.query, polyglot) < 1000ms',
          '  - expr: cacheHitRatio(dashboard-reads, polyglot) >= 0.5',
          '  - expr: improvement(metrics-query.query.p50, polyglot vs single-postgres) >= 50%',
          '',
        ].join('\n'),
      );
      const verdicts = evaluateBudgets(results, await loadBudgetSet(budgetFile));
      const written = await writeReports(results, join(dir, 'real'), { verdicts });
      await checkInBrowser(written, verdicts, 4, true);
    });

    it('synthetic results with every chart kind render the same way', async () => {
      const results = syntheticResults({ seed: 70, repeats: 2, samplesPerOperation: 300 });
      const verdicts = evaluateBudgets(results, await loadBudgetSet('adr-024'));
      const written = await writeReports(results, join(dir, 'synthetic'), { verdicts });
      expect(written.htmlBytes).toBeLessThan(1.5 * 1024 * 1024);
      await checkInBrowser(written, verdicts, 30, false);
    });

    it('a sweep charts p50 against size with every size named on the x axis', async () => {
      const results = syntheticSweep({ xs: 5, s: 20, m: 80 });
      const written = await writeReports(results, join(dir, 'sweep'), { verdicts: [] });
      await checkInBrowser(written, [], 1, false, async (page) => {
        expect(await page.locator('#sweep').textContent()).toMatch(/polyglot overtakes single-postgres at/);
        // uPlot's log axis would label only 1-2-5 values: here s alone.
        const ticks = await page
          .locator('#sweep [data-x-ticks]')
          .evaluateAll((nodes) => nodes.map((node) => node.getAttribute('data-x-ticks')));
        expect(ticks).toEqual(['xs (0.04×)|s (1×)|m (25×)']);
      });
    });
  },
);

// report.html in a real browser (Debian's chromium via playwright-core): no console error, no network
// request, verdict table present, every chart rendered with data points, screenshot for the README.
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { chromium } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import { evaluateBudgets } from '../budgets/evaluate.ts';
import { loadBudgetSet } from '../budgets/load.ts';
import { syntheticResults } from './fixtures/synthetic-results.ts';
import { writeReports } from './write.ts';

const CHROMIUM = process.env['DALBENCH_CHROMIUM'] ?? '/usr/bin/chromium';
const missing = existsSync(CHROMIUM)
  ? undefined
  : `no Chromium at ${CHROMIUM}: install it with "apt-get install -y chromium" (or set DALBENCH_CHROMIUM)`;

describe.skipIf(missing !== undefined)(
  `report.html in headless Chromium${missing ? ` — skipped: ${missing}` : ''}`,
  () => {
    it('renders offline with no console error and no request, every chart has data; saves docs/report-screenshot.png', async () => {
      const dir = await mkdtemp(join(tmpdir(), 'dalbench-browser-'));
      try {
        const results = syntheticResults({ seed: 70, repeats: 2, samplesPerOperation: 300 });
        const verdicts = evaluateBudgets(results, await loadBudgetSet('adr-024'));
        const written = await writeReports(results, join(dir, 'out'), { verdicts });
        expect(written.htmlBytes).toBeLessThan(1.5 * 1024 * 1024);

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
          expect(charts.length).toBeGreaterThan(30);
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

          const docs = resolve(import.meta.dirname, '../../docs');
          await mkdir(docs, { recursive: true });
          await page.screenshot({ path: join(docs, 'report-screenshot.png'), fullPage: false });
          console.info(
            `report.html ${(written.htmlBytes / 1024).toFixed(0)} KiB, ${charts.length} charts, loaded+rendered in ${loadMs} ms`,
          );
        } finally {
          await browser.close();
        }
      } finally {
        await rm(dir, { recursive: true, force: true });
      }
    });
  },
);

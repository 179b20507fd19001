// A --scale sweep: the crossover is found where the p50 ratio changes sign (interpolated on a log
// size axis), stated when there is none, and shown in every output; budgets name a size with `@`.
import { describe, expect, it } from 'vitest';
import { evaluateBudgets } from '../budgets/evaluate.ts';
import { resolveBudgetSet } from '../budgets/resolve.ts';
import { summaryTable } from '../run/summary-table.ts';
import { crossoverOf, sweepOperations } from './crossover.ts';
import { syntheticResults, syntheticSweep as sweep } from './fixtures/synthetic-results.ts';
import { loadReportAssets, type ChartSpec } from './html-shell.ts';
import { renderHtmlReport } from './report-html.ts';
import { renderSummaryMarkdown } from './summary-markdown.ts';

describe('crossover by data size', () => {
  it('interpolates where polyglot overtakes single-postgres on a log size axis', () => {
    // ratio polyglot/pg: 10/5 = 2 at xs, 10/20 = 0.5 at s → log-midpoint of 0.04 and 1 = 0.2
    const [op] = sweepOperations(sweep({ xs: 5, s: 20, m: 80 }));
    expect(op?.scenario).toBe('metrics-query');
    expect(op?.lines.map((l) => l.points.map((p) => p.scale))).toEqual([
      ['xs', 's', 'm'],
      ['xs', 's', 'm'],
    ]);
    const [crossover] = op!.crossovers;
    expect(crossover?.status).toBe('crosses');
    expect(crossover?.atFactor).toBeGreaterThan(0.17);
    expect(crossover?.atFactor).toBeLessThan(0.23);
    expect(crossover?.text).toMatch(
      /polyglot overtakes single-postgres at ≈ 0\.(19|2\d?) × s \(between xs and s\); at m its p50 is 8\d % lower/,
    );
  });

  it('says "no crossover up to m" when polyglot never gets ahead, and "every size" when it always is', () => {
    const never = sweepOperations(sweep({ xs: 2, s: 4, m: 8 }))[0]!.crossovers[0]!;
    expect(never.status).toBe('slower');
    expect(never.text).toMatch(/^no crossover up to m: polyglot is not faster than single-postgres at m/);
    const always = sweepOperations(sweep({ xs: 20, s: 40, m: 80 }))[0]!.crossovers[0]!;
    expect(always.status).toBe('faster');
    expect(always.text).toMatch(/faster than single-postgres at every size from xs to m/);
  });

  it('one size alone is named as the only size measured, not as a range from m to m', () => {
    const at = (p50Us: number) => ({
      scale: 'm',
      factor: 10,
      p50Us,
      lowUs: p50Us,
      highUs: p50Us,
      repeats: 1,
    });
    const base = { profile: 'single-postgres', points: [at(80)] };
    const faster = crossoverOf({ profile: 'polyglot', points: [at(20)] }, base);
    expect(faster.status).toBe('faster');
    expect(faster.text).toMatch(
      /^polyglot is faster than single-postgres at m, the only size both measured \(75 % lower/,
    );
    const slower = crossoverOf({ profile: 'polyglot', points: [at(160)] }, base);
    expect(slower.text).toMatch(/^no crossover up to m, the only size both measured: polyglot is not faster/);
  });

  it('reports a fall back behind after a crossover, and insufficient data without shared sizes', () => {
    const point = (scale: string, factor: number, p50Us: number) => ({
      scale,
      factor,
      p50Us,
      lowUs: p50Us,
      highUs: p50Us,
      repeats: 1,
    });
    const line = { profile: 'a', points: [point('xs', 0.1, 20), point('s', 1, 5), point('m', 10, 50)] };
    const base = { profile: 'b', points: [point('xs', 0.1, 10), point('s', 1, 10), point('m', 10, 10)] };
    expect(crossoverOf(line, base).text).toMatch(
      /no spread measured; use --repeat 3\); it falls behind again at m/,
    );
    expect(crossoverOf(line, { profile: 'b', points: [point('l', 100, 1)] }).status).toBe('insufficient');
  });

  it('says when the difference at the largest size is inside the spread of the repeats', () => {
    const close = sweepOperations(sweep({ xs: 20, s: 40, m: 10.02 }))[0]!.crossovers[0]!;
    expect(close.text).toMatch(/ranges over 3 repeats overlap: not a clear difference/);
    const clear = sweepOperations(sweep({ xs: 20, s: 40, m: 80 }))[0]!.crossovers[0]!;
    expect(clear.text).not.toMatch(/overlap|no spread/);
  });

  it('the range over repeats is the band; one repeat has none', () => {
    const [op] = sweepOperations(sweep({ xs: 5, s: 20, m: 80 }, 3));
    const point = op!.lines[0]!.points[0]!;
    expect(point.repeats).toBe(3);
    expect(point.lowUs).toBeLessThanOrEqual(point.p50Us);
    expect(point.highUs).toBeGreaterThanOrEqual(point.p50Us);
  });

  it('every output states the crossover; report.html charts p50 against size with a log axis', async () => {
    const results = sweep({ xs: 5, s: 20, m: 80 });
    const expected = /metrics-query\.query p50: polyglot overtakes single-postgres at ≈/;
    expect(renderSummaryMarkdown(results)).toMatch(expected);
    expect(summaryTable(results)).toMatch(expected);
    const html = renderHtmlReport(results, await loadReportAssets());
    expect(html).toMatch(expected);
    expect(html).toContain('<section id="sweep"><h2>Across data sizes</h2>');
    const charts = JSON.parse(
      /<script id="dalbench-charts" type="application\/json">(.*?)<\/script>/s.exec(html)![1]!,
    ) as ChartSpec[];
    const chart = charts.find((c) => c.kind === 'log-line');
    expect(chart?.x).toEqual([0.04, 1, 25]);
    expect(chart?.categories?.[2]).toBe('m (25×)');
    expect(chart?.series.map((s) => s.label)).toContain('single-postgres p50');
    // a run without sizes has no sweep section
    expect(renderHtmlReport(syntheticResults({ seed: 1 }), await loadReportAssets())).not.toContain(
      'id="sweep"',
    );
  });

  it('budgets name a size with @, and a scenario without a size is judged at every size', () => {
    const results = sweep({ xs: 5, s: 20, m: 80 });
    const atM = evaluateBudgets(
      results,
      resolveBudgetSet(
        {
          name: 't',
          budgets: [{ expr: 'improvement(metrics-query@m.query.p50, polyglot vs single-postgres) >= 50%' }],
        },
        't',
      ),
    );
    expect(atM.map((v) => v.status)).toEqual(['pass']);
    const everySize = evaluateBudgets(
      results,
      resolveBudgetSet(
        {
          name: 't',
          budgets: [{ expr: 'improvement(metrics-query.query.p50, polyglot vs single-postgres) >= 50%' }],
        },
        't',
      ),
    );
    expect(everySize).toHaveLength(3);
    expect(everySize.map((v) => [v.budget.match(/@(\w+)/)?.[1], v.status])).toEqual([
      ['xs', 'fail'],
      ['s', 'pass'],
      ['m', 'pass'],
    ]);
  });
});

// compare.html, and the baseline-diff table inside report.html: same page shell as the report.
import type { Comparison } from './compare.ts';
import { COMPARE_HEADERS, compareCells, compareSummaryLine } from './compare-format.ts';
import { chartFigure, escapeHtml, htmlPage, type ChartSpec, type ReportAssets } from './html-shell.ts';

export function compareTableHtml(comparison: Comparison): string {
  const rows = comparison.rows
    .map((r) => {
      const cells = compareCells(r);
      const cls =
        r.result.regression && !r.tooNoisy && r.confirmation !== 'not-confirmed'
          ? 'fail'
          : r.result.verdict === 'faster'
            ? 'pass'
            : r.result.verdict === 'inconclusive'
              ? 'inconclusive'
              : '';
      return `<tr>${cells.map((c, i) => (i === 9 ? `<td class="status ${cls}">${escapeHtml(c)}</td>` : `<td>${escapeHtml(c)}</td>`)).join('')}</tr>`;
    })
    .join('\n');
  return `<table class="compare"><caption>${escapeHtml(compareSummaryLine(comparison))}</caption>
<thead><tr>${COMPARE_HEADERS.map((h) => `<th scope="col">${escapeHtml(h)}</th>`).join('')}</tr></thead><tbody>${rows}</tbody></table>`;
}

export function renderCompareHtml(comparisons: readonly Comparison[], assets: ReportAssets): string {
  const charts: ChartSpec[] = [];
  const sections = comparisons.map((c, index) => {
    const p99 = c.rows.filter((r) => r.metric === 'p99');
    const chart: ChartSpec = {
      id: `compare-${index}-p99`,
      title: `p99 change per scenario/operation (${c.candidateLabel} vs ${c.baseLabel})`,
      kind: 'bars',
      xLabel: 'scenario / profile / operation',
      yLabel: 'change %',
      x: p99.map((_, i) => i),
      categories: p99.map((r) => `${r.scenario}/${r.profile}/${r.operation}`),
      series: [
        {
          label: 'p99 change %',
          values: p99.map((r) => (Number.isFinite(r.result.changePct) ? r.result.changePct : null)),
        },
      ],
    };
    if (p99.length > 0) charts.push(chart);
    return `<section><h2>${escapeHtml(`${c.candidateLabel} vs ${c.baseLabel}`)}</h2>${compareTableHtml(c)}${p99.length > 0 ? `<div class="charts">${chartFigure(chart)}</div>` : ''}</section>`;
  });
  return htmlPage(
    'dalbench compare',
    `<header><h1>dalbench compare</h1></header>${sections.join('\n')}`,
    charts,
    assets,
  );
}

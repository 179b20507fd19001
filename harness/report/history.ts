// `dalbench report --history 'reports/*/results.json'`: each budget's measured value across a series of
// runs (CI artifacts kept over time), with breached runs marked in the chart and the table.
import { access, readdir } from 'node:fs/promises';
import { join, relative, resolve, sep } from 'node:path';
import { chartFigure, escapeHtml, htmlPage, type ChartSpec, type ReportAssets } from './html-shell.ts';
import { InputError } from '../results/input-error.ts';
import type { Results, Verdict } from '../results/schema.ts';
import { STATUS_TEXT } from './verdict-format.ts';

/** Expand a glob (`*`, `?`, `**`) without a dependency: Node 20 has no fs.glob. Sorted, so runs read in order. */
export async function expandGlob(pattern: string, cwd = process.cwd()): Promise<string[]> {
  const absolute = resolve(cwd, pattern);
  const segments = absolute.split(sep);
  const firstWild = segments.findIndex((s) => /[*?]/.test(s));
  if (firstWild === -1) {
    try {
      await access(absolute);
      return [absolute];
    } catch {
      return [];
    }
  }
  const base = segments.slice(0, firstWild).join(sep) || sep;
  const rest = segments.slice(firstWild).join('/');
  const regex = new RegExp(
    `^${rest
      .split('/')
      .map((seg) =>
        seg === '**'
          ? '(?:.*/)?'
          : `${seg
              .replace(/[.+^${}()|[\]\\]/g, '\\$&')
              .replace(/\*/g, '[^/]*')
              .replace(/\?/g, '[^/]')}/`,
      )
      .join('')
      .replace(/\/$/, '')
      .replace(/\(\?:\.\*\/\)\?$/, '.*')}$`,
  );
  let entries: string[];
  try {
    entries = await readdir(base, { recursive: true });
  } catch {
    return [];
  }
  return entries
    .map((e) => e.split(sep).join('/'))
    .filter((e) => regex.test(e))
    .sort()
    .map((e) => join(base, e));
}

export interface HistoryRun {
  file: string;
  results: Results;
  verdicts: readonly Verdict[];
}

export function assertHistoryMatches(pattern: string, files: readonly string[]): void {
  if (files.length === 0) throw new InputError(pattern, 'history glob matched no results file');
}

export function renderHistoryHtml(
  runs: readonly HistoryRun[],
  assets: ReportAssets,
  cwd = process.cwd(),
): string {
  const ordered = [...runs].sort((a, b) => a.results.run.startedAt.localeCompare(b.results.run.startedAt));
  const budgets = [...new Set(ordered.flatMap((r) => r.verdicts.map((v) => v.budget)))];
  const charts: ChartSpec[] = [];
  const sections = budgets.map((budget, index) => {
    const points = ordered.map((r) => r.verdicts.find((v) => v.budget === budget));
    const unit = points.find((p) => p)?.unit ?? '';
    const chart: ChartSpec = {
      id: `history-${index}`,
      title: budget,
      kind: 'line',
      xLabel: 'run #',
      yLabel: unit || 'value',
      x: ordered.map((_, i) => i + 1),
      series: [
        { label: 'measured', values: points.map((p) => p?.measured ?? null) },
        { label: 'limit', values: points.map((p) => p?.limit ?? null) },
        { label: '✘ breached', values: points.map((p) => (p?.status === 'fail' ? p.measured : null)) },
      ],
    };
    charts.push(chart);
    const rows = ordered
      .map((r, i) => {
        const v = points[i];
        return `<tr><td>${i + 1}</td><td>${escapeHtml(r.results.run.id)}</td><td>${escapeHtml(r.results.run.startedAt)}</td><td>${escapeHtml(relative(cwd, r.file))}</td><td>${v?.measured ?? '—'}</td><td class="status ${v?.status ?? ''}">${v ? STATUS_TEXT[v.status] : 'absent'}</td></tr>`;
      })
      .join('');
    return `<section><h2>${escapeHtml(budget)}</h2><div class="charts">${chartFigure(chart)}</div>
<table><thead><tr><th scope="col">#</th><th scope="col">run</th><th scope="col">started</th><th scope="col">file</th><th scope="col">measured</th><th scope="col">result</th></tr></thead><tbody>${rows}</tbody></table></section>`;
  });
  const body = `<header><h1>dalbench history</h1><p class="muted">${ordered.length} runs, ${budgets.length} budgets</p></header>${sections.join('\n') || '<p>No budget verdicts in these runs.</p>'}`;
  return htmlPage('dalbench history', body, charts, assets);
}

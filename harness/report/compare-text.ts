// The terminal table of `dalbench compare`.
import type { Comparison } from './compare.ts';
import { COMPARE_HEADERS, compareCells, compareSummaryLine } from './compare-format.ts';

export function renderCompareText(comparison: Comparison): string {
  const headers = COMPARE_HEADERS.slice(0, -1);
  const rows = comparison.rows.map((r) => compareCells(r).slice(0, -1));
  const widths = headers.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)));
  const line = (cells: string[]) =>
    cells
      .map((c, i) => c.padEnd(widths[i] ?? 0))
      .join('  ')
      .trimEnd();
  return [
    line(headers),
    widths.map((w) => '-'.repeat(w)).join('  '),
    ...rows.map(line),
    '',
    compareSummaryLine(comparison),
    '',
  ].join('\n');
}

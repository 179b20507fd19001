// compare.md: the comparison as a Markdown table (fits a PR comment).
import type { Comparison } from './compare.ts';
import { COMPARE_HEADERS, compareCells, compareSummaryLine } from './compare-format.ts';

const escapeCell = (text: string) => text.replace(/\|/g, '\\|');

export function compareTableMarkdown(comparison: Comparison): string {
  return [
    `| ${COMPARE_HEADERS.join(' | ')} |`,
    `| ${COMPARE_HEADERS.map(() => '---').join(' | ')} |`,
    ...comparison.rows.map((r) => `| ${compareCells(r).map(escapeCell).join(' | ')} |`),
  ].join('\n');
}

export function renderCompareMarkdown(comparisons: readonly Comparison[]): string {
  return [
    '# dalbench compare',
    '',
    ...comparisons.flatMap((c) => [
      `## ${c.candidateLabel} vs ${c.baseLabel}`,
      '',
      `**${compareSummaryLine(c)}**`,
      '',
      compareTableMarkdown(c),
      '',
    ]),
    'Verdicts: a change counts only when a Mann–Whitney test is significant (α = 0.05) and it exceeds both the threshold and the measured noise; single samples are never called significant.',
    '',
  ].join('\n');
}

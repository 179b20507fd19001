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
    'Verdicts: a change counts only when it is significant (α = 0.05, t on log values) and beyond the threshold. ' +
      'Repeats within one invocation are compared with Welch’s t; single runs with their within-run interval (block bootstrap over ' +
      'per-second windows) plus the calibrated repeat spread; runs of separate invocations also with the spread between invocations ' +
      '(noise.json from `dalbench calibrate`, or several result files per side) — without it a row says it cannot judge. ' +
      'An undecided row says how many repeats or invocations per side would decide it.',
    '',
  ].join('\n');
}

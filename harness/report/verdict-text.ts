// The verdict table `dalbench check` prints to the terminal.
import type { Verdict } from './results-schema.ts';
import { STATUS_TEXT, confirmationText, limitText, measuredText, overallStatus } from './verdict-format.ts';

export function renderVerdictText(verdicts: readonly Verdict[]): string {
  const rows = verdicts.map((v) => [
    STATUS_TEXT[v.status],
    v.budget,
    measuredText(v),
    limitText(v),
    confirmationText(v),
  ]);
  const headers = ['result', 'budget', 'measured', 'limit', 'confirmed'];
  const widths = headers.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)));
  const line = (cells: string[]) =>
    cells
      .map((c, i) => c.padEnd(widths[i] ?? 0))
      .join('  ')
      .trimEnd();
  const details = verdicts
    .filter((v) => v.status !== 'pass')
    .map((v) => `  ${v.budget}\n    ${v.message}${v.claim ? `\n    ADR: ${v.claim}` : ''}`);
  return [
    line(headers),
    widths.map((w) => '-'.repeat(w)).join('  '),
    ...rows.map(line),
    '',
    overallStatus(verdicts),
    ...(details.length ? ['', ...details] : []),
    '',
  ].join('\n');
}

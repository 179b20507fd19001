// The verdict table `dalbench check` prints to the terminal, and — given the results — what the run
// was measured on (stores, their servers and notes), so a verdict never reads as more than it is.
import { runMeasuredOn } from '../results/measured-on.ts';
import type { Results, Verdict } from '../results/schema.ts';
import {
  STATUS_TEXT,
  confirmationText,
  limitText,
  measuredText,
  messageWithMeasuredOn,
  overallStatus,
} from './verdict-format.ts';

export function renderVerdictText(verdicts: readonly Verdict[], results?: Results): string {
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
    .filter((v) => v.status !== 'not-in-run' && (v.status !== 'pass' || (v.measuredOn?.length ?? 0) > 0))
    .map((v) => `  ${v.budget}\n    ${messageWithMeasuredOn(v)}${v.claim ? `\n    ADR: ${v.claim}` : ''}`);
  const measuredOn = results ? runMeasuredOn(results) : [];
  return [
    line(headers),
    widths.map((w) => '-'.repeat(w)).join('  '),
    ...rows.map(line),
    '',
    overallStatus(verdicts),
    ...(details.length ? ['', ...details] : []),
    ...(measuredOn.length ? ['', 'Measured on:', ...measuredOn.map((m) => `  - ${m}`)] : []),
    '',
  ].join('\n');
}

// summary.md: the verdict table and headline numbers, sized for a pull-request comment / step summary.
import type { Comparison } from './compare.ts';
import { compareSummaryLine } from './compare-format.ts';
import { regressions } from './compare.ts';
import type { Results, Verdict } from '../results/schema.ts';
import { runMeasuredOn } from '../results/measured-on.ts';
import { dalOverheadLines } from './dal-overhead-format.ts';
import { crossoverLine, sweepOperations } from './crossover.ts';
import {
  STATUS_TEXT,
  confirmationText,
  limitText,
  measuredText,
  messageWithMeasuredOn,
  overallStatus,
} from './verdict-format.ts';

const cell = (text: string) => text.replace(/\|/g, '\\|').replace(/\n/g, ' ');
/** GitHub rejects comments over 65,536 characters. */
const MAX_CHARS = 60_000;

export function renderSummaryMarkdown(
  results: Results,
  options: { verdicts?: readonly Verdict[]; comparison?: Comparison } = {},
): string {
  const verdicts = options.verdicts ?? results.verdicts ?? [];
  const run = results.run;
  const broken = results.scenarios.filter((s) => s.status !== 'completed');
  const lines = [
    `## dalbench: ${overallStatus(verdicts)}`,
    '',
    `Run \`${run.id}\` · ${run.status === 'complete' ? 'complete' : '⚠ **incomplete**'} · seed ${run.seed} · Node ${run.node} · ${run.cpus} CPUs · stores: ${run.stores.map((s) => `${s.kind} ${s.serverVersion} (${s.mode})`).join(', ') || 'none recorded'}`,
    '',
  ];
  if (verdicts.length > 0) {
    lines.push(
      '| Result | Budget | Measured | Limit | ADR claim | Confirmed |',
      '| --- | --- | --- | --- | --- | --- |',
    );
    for (const v of verdicts) {
      lines.push(
        `| ${STATUS_TEXT[v.status]} | \`${cell(v.budget)}\` | ${cell(measuredText(v))} | ${cell(limitText(v))} | ${cell(v.claim ?? '—')} | ${confirmationText(v)} |`,
      );
    }
    lines.push('');
    // Not-in-run rows explain themselves (the budget names what the run left out): no detail line.
    const problems = verdicts.filter(
      (v) => v.status !== 'not-in-run' && (v.status !== 'pass' || (v.measuredOn?.length ?? 0) > 0),
    );
    if (problems.length > 0) {
      lines.push(
        '<details><summary>Why</summary>',
        '',
        ...problems.map((v) => `- \`${cell(v.budget)}\`: ${cell(messageWithMeasuredOn(v))}`),
        '',
        '</details>',
        '',
      );
    }
  }
  const measuredOn = runMeasuredOn(results);
  if (measuredOn.length > 0)
    lines.push(
      '**Measured on** (where it differs from the ADR, the verdicts say so):',
      '',
      ...measuredOn.map((m) => `- ${cell(m)}`),
      '',
    );
  const crossovers = sweepOperations(results).flatMap((op) => op.crossovers.map((c) => crossoverLine(op, c)));
  if (crossovers.length > 0)
    lines.push('**Crossover by data size:**', '', ...crossovers.map((c) => `- ${cell(c)}`), '');
  const overhead = dalOverheadLines(run);
  if (overhead.length > 0)
    lines.push(
      "**The DAL's own cost on these stores** (bench:dal; profiles are compared through it):",
      '',
      ...overhead.map((l) => `- ${l.over ? '⚠ ' : ''}${cell(l.text)}`),
      '',
    );
  if (broken.length > 0) {
    lines.push(
      `**${broken.length} scenario run(s) did not complete:** ${broken.map((s) => `${s.scenario}/${s.profile}#${s.repeat} ${s.status}${s.reason ? ` (${cell(s.reason)})` : ''}`).join('; ')}`,
      '',
    );
  }
  if (options.comparison) {
    const regressed = regressions(options.comparison);
    lines.push(`**Baseline:** ${compareSummaryLine(options.comparison)}`, '');
    for (const r of regressed.slice(0, 20))
      lines.push(
        `- ▼ ${r.scenario}/${r.profile}/${r.operation} ${r.metric}: ${r.result.changePct.toFixed(1)}% (${r.result.note})`,
      );
    if (regressed.length > 0) lines.push('');
  }
  if (run.harness.warnings.length > 0)
    lines.push(`Harness warnings: ${run.harness.warnings.map(cell).join('; ')}`, '');
  lines.push('Full report: `report.html` (self-contained; open it offline).', '');
  const text = lines.join('\n');
  return text.length <= MAX_CHARS ? text : `${text.slice(0, MAX_CHARS)}\n\n… (truncated; see report.html)\n`;
}

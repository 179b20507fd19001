// Cells of a comparison row, shared by the terminal, Markdown and HTML renderers.
import type { CompareRow, Comparison } from './compare.ts';

export const COMPARE_HEADERS = [
  'scenario',
  'profile',
  'operation',
  'metric',
  'base',
  'new',
  'change',
  'CI of change',
  'effect (Cliff δ)',
  'verdict',
  'note',
];

const VERDICT_TEXT: Record<string, string> = {
  faster: '▲ faster',
  slower: '▼ slower',
  'no change': '= no change',
  inconclusive: '? inconclusive',
};

function value(metric: string, v: number): string {
  return metric === 'throughput' ? `${v.toFixed(1)}/s` : `${(v / 1000).toPrecision(4)}ms`;
}

function pct(v: number): string {
  if (!Number.isFinite(v)) return String(v);
  return `${v >= 0 ? '+' : ''}${v.toFixed(1)}%`;
}

export function verdictText(row: CompareRow): string {
  let text = VERDICT_TEXT[row.result.verdict] ?? row.result.verdict;
  if (row.result.regression) text += ' ✘ regression';
  if (row.confirmation)
    text += ` (${row.confirmation === 'confirmed' ? 'confirmed' : 'not confirmed, within noise'})`;
  if (row.tooNoisy) text += ' (too noisy to gate)';
  return text;
}

export function compareCells(row: CompareRow): string[] {
  const r = row.result;
  return [
    row.scenario,
    row.profile === row.candidateProfile ? row.profile : `${row.profile} → ${row.candidateProfile}`,
    row.operation,
    row.metric === 'p999' ? 'p99.9' : row.metric,
    `${value(row.metric, r.base)} (n=${r.nBase})`,
    `${value(row.metric, r.candidate)} (n=${r.nCandidate})`,
    pct(r.changePct),
    r.changeCi ? `${pct(r.changeCi[0])} … ${pct(r.changeCi[1])}` : '—',
    r.cliffsDelta === undefined ? '—' : `${r.cliffsDelta.toFixed(2)} ${r.effect ?? ''}`.trim(),
    verdictText(row),
    r.note,
  ];
}

export function compareSummaryLine(c: Comparison): string {
  const count = (v: string) => c.rows.filter((r) => r.result.verdict === v).length;
  const regressions = c.rows.filter(
    (r) => r.result.regression && !r.tooNoisy && r.confirmation !== 'not-confirmed',
  ).length;
  return `${c.candidateLabel} vs ${c.baseLabel}: ${count('faster')} faster, ${count('slower')} slower, ${count('no change')} no change, ${count('inconclusive')} inconclusive; ${regressions} regression(s)${c.thresholdPct ? ` beyond ${c.thresholdPct}%` : ''}`;
}

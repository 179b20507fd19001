// Cells of a comparison row, shared by the terminal, Markdown and HTML renderers. The verdict column
// says one thing: a decided change (with ✘ only when it gates), or why the row could not be decided.
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

function neededShort(needed: NonNullable<CompareRow['result']['needed']>): string {
  const unit = needed.unit === 'repeats' ? 'repeats per side' : 'invocations per side';
  return needed.count === undefined ? `> 200 ${unit}` : `≥ ${needed.count} ${unit}`;
}

export function verdictText(row: CompareRow): string {
  const r = row.result;
  if (r.verdict === 'inconclusive') {
    if (r.undecided === 'between-unknown') return '? cannot judge across invocations';
    return r.needed ? `? inconclusive (${neededShort(r.needed)})` : '? inconclusive';
  }
  const text = VERDICT_TEXT[r.verdict] ?? r.verdict;
  if (row.tooNoisy) return `${text}, not gated (too noisy)`;
  if (!r.regression) return text;
  if (row.confirmation === 'not-confirmed') return `${text}, not confirmed by re-runs`;
  return `${text} ✘ regression${row.confirmation === 'confirmed' ? ' (confirmed)' : ''}`;
}

function sideText(metric: string, v: number, n: number, invocations: number): string {
  return `${value(metric, v)} (n=${n}${invocations > 1 ? ` in ${invocations} runs` : ''})`;
}

export function compareCells(row: CompareRow): string[] {
  const r = row.result;
  const profile =
    row.profile === row.candidateProfile ? row.profile : `${row.profile} → ${row.candidateProfile}`;
  return [
    row.scenario,
    row.driver === 'dal' ? profile : `${profile} (${row.driver})`,
    row.operation,
    row.metric === 'p999' ? 'p99.9' : row.metric,
    sideText(row.metric, r.base, r.nBase, r.invocationsBase),
    sideText(row.metric, r.candidate, r.nCandidate, r.invocationsCandidate),
    pct(r.changePct),
    r.changeCi
      ? `${pct(r.changeCi[0])} … ${pct(r.changeCi[1])}${r.intervalKind ? ` (${r.intervalKind})` : ''}`
      : '—',
    r.cliffsDelta === undefined ? '—' : `${r.cliffsDelta.toFixed(2)} ${r.effect ?? ''}`.trim(),
    verdictText(row),
    r.note,
  ];
}

export function compareSummaryLine(c: Comparison): string {
  const count = (v: string) => c.rows.filter((r) => r.result.verdict === v).length;
  const across = c.rows.filter((r) => r.result.undecided === 'between-unknown').length;
  const regressions = c.rows.filter(
    (r) => r.result.regression && !r.tooNoisy && r.confirmation !== 'not-confirmed',
  ).length;
  return (
    `${c.candidateLabel} vs ${c.baseLabel}: ${count('faster')} faster, ${count('slower')} slower, ` +
    `${count('no change')} no change, ${count('inconclusive')} inconclusive` +
    `${across ? ` (${across} cannot judge across invocations)` : ''}; ` +
    `${regressions} regression(s)${c.thresholdPct ? ` beyond ${c.thresholdPct}%` : ''}`
  );
}

// bench:dal's printed table: every path with its ratio, the interval it is judged by and its
// verdict; an extra guarantee gets its own line so the DAL's own cost and the guarantee's are told apart.
import type { PathVerdict } from './verdict.ts';

/** What the judged column's figure is, by how a declared guarantee enters it. */
const JUDGED_AS = { none: '', subtract: ' net', add: ' ÷ raw+g' } as const;

const STATUS_TEXT = { within: 'yes', unclear: '? (interval straddles)', over: 'NO (with confidence)' };

export function formatVerdictTable(verdicts: readonly PathVerdict[], confidence = 0.9): string {
  const header = [
    'path',
    'DAL µs',
    'raw µs',
    'DAL/raw',
    `judged [${Math.round(confidence * 100)} % CI]`,
    'target',
    'met',
  ];
  const lines = [header.join(' | '), header.map(() => '---').join(' | ')];
  for (const v of verdicts) {
    lines.push(
      [
        `${v.id} — ${v.title}`,
        fmt(v.dalMedianUs),
        fmt(v.rawMedianUs),
        v.ratio.toFixed(2),
        `${v.judged.toFixed(2)} [${v.interval[0].toFixed(2)}, ${v.interval[1].toFixed(2)}]${JUDGED_AS[v.guarantee?.combine ?? 'none']}`,
        `≤ ${v.maxRatio.toFixed(2)}`,
        STATUS_TEXT[v.status],
      ].join(' | '),
    );
    if (v.guarantee) {
      lines.push(
        [
          `  ↳ extra guarantee: ${v.guarantee.title}`,
          fmt(v.guarantee.medianUs),
          '',
          (v.guarantee.medianUs / v.rawMedianUs).toFixed(2),
          v.guarantee.timed === 'inline'
            ? 'its cost inside a raw call (raw doing it − raw), ÷ raw'
            : 'its own cost (after a raw call), ÷ raw',
          '',
          '',
        ].join(' | '),
      );
    }
  }
  return lines.join('\n');
}

function fmt(us: number): string {
  return us >= 1000 ? Math.round(us).toLocaleString('en-US') : us.toFixed(1);
}

// The fault matrix as a table, one line per cell (store × fault): isolation rate during the fault
// against ADR-024's ≥ 99.9 %, what failed and how, time to recover, p99 of the isolated operations
// before/during/after, and integrity (acknowledged PostgreSQL writes lost, outbox documents lost or
// extra against the PostgreSQL rows once drained, writes committed although the caller got an error, reads
// through the cache older than PostgreSQL after recovery). A cell that could not run says why on its line.
import type { CellResult, PhaseStats } from './fault-cell.ts';

export const ISOLATION_TARGET = 0.999;

export type MatrixRow =
  | { readonly store: string; readonly fault: string; readonly result: CellResult }
  | { readonly store: string; readonly fault: string; readonly error: string };

const ms = (value: number | undefined) => (value === undefined ? '-' : `${Math.round(value)}`);

function errorsText(stats: PhaseStats): string {
  const entries = Object.entries(stats.errorClasses).sort((a, b) => b[1] - a[1]);
  if (entries.length === 0) return '0';
  return entries
    .slice(0, 3)
    .map(([name, n]) => `${n} ${name}`)
    .join(', ')
    .concat(entries.length > 3 ? ', …' : '');
}

function isolationText(result: CellResult): string {
  const { ok, errors } = result.isolated.during;
  if (result.isolationRate === undefined) return 'n/a (no isolated ops)';
  const met = result.isolationRate >= ISOLATION_TARGET ? 'met' : 'NOT met';
  return `${(result.isolationRate * 100).toFixed(2)} % (${ok}/${ok + errors}) ${met}`;
}

export function formatMatrixTable(rows: readonly MatrixRow[]): string {
  const header = [
    'store',
    'fault',
    `isolation during (≥ ${ISOLATION_TARGET * 100} %)`,
    'needing it: ok/err during',
    'errors during',
    'errors after',
    'fault ms',
    'recovery ms',
    'p99 ms before/during/after',
    'pg lost',
    'outbox lost/extra',
    'ambiguous',
    'stale reads',
  ];
  const lines = [header.join(' | '), header.map(() => '---').join(' | ')];
  for (const row of rows) {
    if ('error' in row) {
      lines.push([row.store, row.fault, `not run: ${row.error.split('\n')[0]}`].join(' | '));
      continue;
    }
    const r = row.result;
    const during = { ...r.isolated.during, errorClasses: merge(r.isolated.during, r.dependent.during) };
    const after = { ...r.isolated.after, errorClasses: merge(r.isolated.after, r.dependent.after) };
    lines.push(
      [
        row.store,
        row.fault,
        isolationText(r),
        `${r.dependent.during.ok}/${r.dependent.during.errors}`,
        errorsText(during),
        errorsText(after),
        ms(r.faultMs),
        ms(r.recoveryMs),
        `${ms(r.isolated.before.p99Ms)}/${ms(r.isolated.during.p99Ms)}/${ms(r.isolated.after.p99Ms)}`,
        String(r.pgLost + r.outboxAckedLost),
        `${r.outboxLost}/${r.outboxExtra}${r.undrained > 0 ? ` (${r.undrained} undrained)` : ''}`,
        String(r.ambiguous),
        String(r.staleReads),
      ].join(' | ') + (r.faultError ? ` | fault error: ${r.faultError.split('\n')[0]}` : ''),
    );
  }
  return lines.join('\n');
}

function merge(a: PhaseStats, b: PhaseStats): Record<string, number> {
  const out: Record<string, number> = { ...a.errorClasses };
  for (const [name, n] of Object.entries(b.errorClasses)) out[name] = (out[name] ?? 0) + n;
  return out;
}

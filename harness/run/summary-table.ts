// The table printed at the end of a run: one row per scenario × profile × driver × operation.
import { crossoverLine, sweepOperations } from '../report/crossover.ts';
import type { Results } from '../results/schema.ts';

const HEAD = [
  'scenario',
  'profile',
  'drv',
  'operation',
  'status',
  'ops',
  'ops/s',
  'p50 ms',
  'p99 ms',
  'err',
  'metrics',
];

export function summaryTable(results: Results): string {
  const rows: string[][] = [];
  for (const s of results.scenarios) {
    const metrics = Object.entries(s.metrics)
      .filter(([k]) => !k.startsWith('harness'))
      .map(([k, v]) => `${k}=${round(v)}`)
      .join(' ');
    const counters = ['staleReads', 'lostWrites', 'visibilityTimeouts']
      .filter((k) => s.counters[k] !== undefined)
      .map((k) => `${k}=${s.counters[k]}`);
    const lag = s.distributions.consistencyLag;
    const extra = [metrics, ...counters, ...(lag ? [`lagP99ms=${round(lag.p99Us / 1000)}`] : [])]
      .filter(Boolean)
      .join(' ');
    const status = s.status === 'completed' ? 'ok' : s.status;
    if (s.operations.length === 0) {
      rows.push([s.scenario, s.profile, s.driver, '-', status, '', '', '', '', '', s.reason ?? '']);
      continue;
    }
    s.operations.forEach((op, i) => {
      const errors = Object.values(op.errors).reduce((a, b) => a + b, 0);
      rows.push([
        s.scenario,
        s.profile,
        s.driver,
        op.name,
        status,
        String(op.count),
        round(op.throughput),
        round(op.latency.p50Us / 1000),
        round(op.latency.p99Us / 1000),
        String(errors),
        i === 0 ? extra : '',
      ]);
    });
  }
  const widths = HEAD.map((h, c) =>
    Math.max(h.length, ...rows.map((r) => (c === HEAD.length - 1 ? 0 : r[c]!.length))),
  );
  const line = (r: readonly string[]) =>
    r
      .map((cell, c) => (c === r.length - 1 ? cell : cell.padEnd(widths[c]!)))
      .join('  ')
      .trimEnd();
  const crossovers = sweepOperations(results).flatMap((op) => op.crossovers.map((c) => crossoverLine(op, c)));
  const sweep =
    crossovers.length > 0 ? `\ncrossover by data size:\n${crossovers.map((c) => `  ${c}`).join('\n')}\n` : '';
  return [line(HEAD), ...rows.map(line)].join('\n') + '\n' + sweep;
}

function round(value: number): string {
  if (value === 0) return '0';
  const abs = Math.abs(value);
  return abs >= 100 ? value.toFixed(0) : abs >= 1 ? value.toFixed(2) : value.toPrecision(3);
}

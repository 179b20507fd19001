// Progress on the terminal: on a TTY one line per phase, rewritten in place; otherwise (or with
// --json) plain lines, one per event worth keeping in a CI log.
import type { RunEvent } from './run-benchmark.ts';

export interface ProgressSink {
  (event: RunEvent): void;
}

export function progressPrinter(write: (text: string) => void, tty: boolean): ProgressSink {
  let live = false;
  const clear = () => {
    if (live) write('\r\x1b[2K');
    live = false;
  };
  return (event) => {
    switch (event.type) {
      case 'log':
        clear();
        write(`${event.line}\n`);
        return;
      case 'pair-start':
        clear();
        if (!tty)
          write(`▶ ${event.scenario} on ${event.profile} (${event.driver}, repeat ${event.repeat})\n`);
        return;
      case 'progress': {
        if (!tty) return;
        const p = event.progress;
        const share = p.plannedMs > 0 ? Math.min(1, p.elapsedMs / p.plannedMs) : 0;
        const bar = '█'.repeat(Math.round(share * 20)).padEnd(20, '·');
        write(
          `\r\x1b[2K${p.scenario} on ${p.profile}: ${p.phase.padEnd(7)} ${bar} ${(p.elapsedMs / 1000).toFixed(1)}s ops ${p.ops} err ${p.errors}`,
        );
        live = true;
        return;
      }
      case 'pair-end': {
        clear();
        const r = event.result;
        const ops = r.operations.reduce((a, o) => a + o.count, 0);
        write(
          `${r.status === 'completed' ? '✓' : r.status === 'skipped' ? '−' : '✗'} ${r.scenario} on ${r.profile} (${r.driver}): ${r.status}${r.reason ? ` — ${r.reason}` : ''}${ops ? `, ${ops} ops` : ''}\n`,
        );
        return;
      }
    }
  };
}

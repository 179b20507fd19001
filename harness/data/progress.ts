// Load progress: on a TTY one bar rewritten in place (rows/s, ETA); otherwise a plain line every
// few seconds and at the end; with `json`, one JSON object per line instead of text.

export interface ProgressOptions {
  readonly label: string;
  /** Expected records; unknown totals show no bar or ETA. */
  readonly total?: number;
  readonly unit?: string;
  readonly write?: (text: string) => void;
  readonly tty?: boolean;
  readonly json?: boolean;
  /** Minimum spacing of updates: default 200 ms on a TTY, 5 s otherwise. */
  readonly intervalMs?: number;
  readonly now?: () => number;
}

import { formatErrorChain } from '../../reference-dal/error-chain.ts';
import type { Progress } from '../../reference-dal/ports/load-progress.ts';

export type { Progress };
export { silentProgress } from '../../reference-dal/ports/load-progress.ts';

function formatRate(perSecond: number): string {
  if (perSecond >= 1e6) return `${(perSecond / 1e6).toFixed(2)} M`;
  if (perSecond >= 1e3) return `${(perSecond / 1e3).toFixed(1)} k`;
  return perSecond.toFixed(0);
}

function formatSeconds(s: number): string {
  if (!Number.isFinite(s)) return '?';
  if (s < 60) return `${s.toFixed(0)}s`;
  return `${Math.floor(s / 60)}m${String(Math.round(s % 60)).padStart(2, '0')}s`;
}

export function createProgress(options: ProgressOptions): Progress {
  const write = options.write ?? ((text: string) => process.stderr.write(text));
  const tty = options.json ? false : (options.tty ?? process.stderr.isTTY === true);
  const now = options.now ?? (() => performance.now());
  const unit = options.unit ?? 'rows';
  const interval = options.intervalMs ?? (tty ? 200 : 5_000);
  const started = now();
  let last = started;
  let count = 0;
  let live = false;

  const snapshot = () => {
    const elapsedS = Math.max(1e-9, (now() - started) / 1000);
    const rate = count / elapsedS;
    const remaining = options.total === undefined ? undefined : Math.max(0, options.total - count);
    const etaS = remaining === undefined || rate === 0 ? undefined : remaining / rate;
    return { elapsedS, rate, etaS };
  };

  const render = (final: boolean, error?: unknown) => {
    const { elapsedS, rate, etaS } = snapshot();
    if (options.json) {
      write(
        `${JSON.stringify({
          type: final ? 'load-done' : 'load-progress',
          label: options.label,
          unit,
          done: count,
          total: options.total ?? null,
          perSecond: Math.round(rate),
          elapsedS: Math.round(elapsedS * 10) / 10,
          etaS: final || etaS === undefined ? null : Math.round(etaS),
          ...(error === undefined ? {} : { error: formatErrorChain(error, 'line') }),
        })}\n`,
      );
      return;
    }
    const of = options.total === undefined ? `${count}` : `${count}/${options.total}`;
    const tail = error === undefined ? '' : ` — failed: ${formatErrorChain(error, 'line')}`;
    if (tty) {
      const share = options.total ? Math.min(1, count / options.total) : 0;
      const bar = options.total ? `${'█'.repeat(Math.round(share * 24)).padEnd(24, '·')} ` : '';
      const eta = final ? `in ${formatSeconds(elapsedS)}` : `ETA ${formatSeconds(etaS ?? NaN)}`;
      write(
        `\r\x1b[2K${options.label} ${bar}${of} ${unit} ${formatRate(rate)} ${unit}/s ${eta}${tail}${final ? '\n' : ''}`,
      );
      live = !final;
      return;
    }
    const eta = final ? `in ${formatSeconds(elapsedS)}` : `ETA ${formatSeconds(etaS ?? NaN)}`;
    write(`${options.label}: ${of} ${unit}, ${formatRate(rate)} ${unit}/s, ${eta}${tail}\n`);
  };

  let finished = false;
  return {
    add(n: number) {
      count += n;
      const t = now();
      if (t - last >= interval) {
        last = t;
        render(false);
      }
    },
    done(error?: unknown) {
      if (finished) return;
      finished = true;
      if (live && error !== undefined) write('\n');
      render(true, error);
    },
    get count() {
      return count;
    },
  };
}

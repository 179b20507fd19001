// How much of a profile comparison is the reference DAL's own cost: per store, the worst DAL ÷ raw
// ratio bench:dal measured on the same stores, or why there is no figure.
import type { RunMetadata, StoreOverhead } from '../results/schema.ts';

export interface DalOverheadLine {
  readonly store: string;
  readonly text: string;
  /** Some path is over its target with confidence. */
  readonly over: boolean;
}

export function dalOverheadLines(run: RunMetadata): DalOverheadLine[] {
  const overhead = run.dalOverhead;
  if (!overhead) return [];
  const measured = overhead.measured.map((entry) => ({
    store: entry.store,
    text: measuredText(entry),
    over: entry.paths.some((p) => p.status === 'over'),
  }));
  const missing = Object.entries(overhead.notMeasured).map(([store, reason]) => ({
    store,
    text: `${store}: ${reason}`,
    over: false,
  }));
  return [...measured, ...missing];
}

function measuredText(entry: StoreOverhead): string {
  const worst = [...entry.paths].sort((a, b) => b.judged - a.judged)[0];
  const over = entry.paths.filter((p) => p.status === 'over');
  const when = `bench:dal ${entry.measuredAt.slice(0, 10)}${entry.gitRevision ? ` at ${entry.gitRevision.slice(0, 7)}` : ''}`;
  if (!worst) return `${entry.store}: no path measured (${when})`;
  const verdict =
    over.length > 0
      ? `${over.length} of ${entry.paths.length} paths OVER their target: ${over.map((p) => p.id).join(', ')}`
      : `all ${entry.paths.length} paths within their targets or unclear`;
  return `${entry.store}: worst path ${worst.id} DAL ÷ raw ${worst.judged.toFixed(2)} [${worst.interval[0].toFixed(2)}, ${worst.interval[1].toFixed(2)}] (target ≤ ${worst.maxRatio.toFixed(2)}); ${verdict} (${when} on ${entry.identity})`;
}

// Shared by the DAL micro-benchmarks: one row shape, and interleaved tinybench rounds whose
// median of per-round medians resists a noisy shared machine. Ratios are measured, never asserted.
import { Bench, type Task } from 'tinybench';

export interface DalVsRawRow {
  readonly name: string;
  readonly dalMedianUs: number;
  readonly rawMedianUs: number;
  /** dal / raw unless `target` says otherwise (the batch row is a speed-up). */
  readonly ratio: number;
  readonly target: string;
  readonly met?: boolean;
  readonly note: string;
}

/** Run every task in `rounds` rounds, alternating their order; returns each task's median-of-medians in µs. */
export async function measure<N extends string>(
  tasks: Readonly<Record<N, () => Promise<void>>>,
  rounds: number,
  timeMs: number,
): Promise<Record<N, number>> {
  const names = Object.keys(tasks) as N[];
  const perRound = new Map<N, number[]>(names.map((n) => [n, []]));
  for (let round = 0; round < rounds; round++) {
    const bench = new Bench({ time: timeMs, warmup: true, throws: true });
    for (const name of round % 2 === 0 ? names : [...names].reverse()) bench.add(name, tasks[name]);
    await bench.run();
    for (const task of bench.tasks) perRound.get(task.name as N)?.push(medianUs(task));
  }
  return Object.fromEntries(names.map((n) => [n, median(perRound.get(n) ?? [])])) as Record<N, number>;
}

/** A DAL-vs-raw row with `ratio = dal / raw` judged against `≤ maxRatio`. */
export function row(name: string, dalUs: number, rawUs: number, maxRatio: number, note: string): DalVsRawRow {
  const ratio = dalUs / rawUs;
  return {
    name,
    dalMedianUs: round2(dalUs),
    rawMedianUs: round2(rawUs),
    ratio: round2(ratio),
    target: `≤ ${maxRatio.toFixed(2)}`,
    met: ratio <= maxRatio,
    note,
  };
}

export function medianUs(task: Task): number {
  const result = task.result;
  if (result.state !== 'completed') {
    throw new Error(`bench task ${task.name} did not complete (${result.state})`, {
      cause: result.state === 'errored' ? result.error : undefined,
    });
  }
  return result.latency.p50 * 1_000;
}

export function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1
    ? (sorted[mid] ?? NaN)
    : ((sorted[mid - 1] ?? NaN) + (sorted[mid] ?? NaN)) / 2;
}

export function round2(value: number): number {
  return Math.round(value * 100) / 100;
}

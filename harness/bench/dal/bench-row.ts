// Shared by the DAL micro-benchmarks: a tinybench task's median, and medians of per-round figures.
import type { Task } from 'tinybench';

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

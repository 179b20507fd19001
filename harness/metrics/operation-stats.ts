// What one operation of one scenario × profile accumulates during the measure phase: corrected
// (from intended start) and uncorrected (from actual start) latency, errors by class, and a
// per-second series of completions and p99. Times are performance.now() milliseconds.
import type { OperationResult } from '../results/schema.ts';
import { createHistogram, summarizeHistogram, type Histogram } from './histogram.ts';

export function toMicros(ms: number): number {
  return ms <= 0 ? 0 : Math.round(ms * 1000);
}

/** Error class name for the error counters (StoreTimeoutError, TypeError, ...). */
export function errorClassName(error: unknown): string {
  if (error instanceof Error)
    return error.name && error.name !== 'Error' ? error.name : error.constructor.name;
  return typeof error;
}

export class OperationStats {
  private readonly latency = createHistogram();
  private readonly uncorrected: Histogram | undefined;
  private readonly second = createHistogram();
  private readonly errors = new Map<string, number>();
  private readonly series: { t: number; ops: number; p99Us: number }[] = [];
  private currentSecond = 0;

  /** @param openLoop record an uncorrected histogram beside the corrected one */
  constructor(
    readonly name: string,
    private readonly measureStartMs: number,
    openLoop: boolean,
  ) {
    this.uncorrected = openLoop ? createHistogram() : undefined;
  }

  get count(): number {
    return this.latency.totalCount;
  }

  get errorCount(): number {
    let total = 0;
    for (const n of this.errors.values()) total += n;
    return total;
  }

  /** @param intendedMs when the operation should have started (= startMs in closed loop) */
  success(intendedMs: number, startMs: number, endMs: number): void {
    const us = toMicros(endMs - intendedMs);
    this.latency.recordValue(us);
    this.uncorrected?.recordValue(toMicros(endMs - startMs));
    this.tick(endMs);
    this.second.recordValue(us);
  }

  error(error: unknown, endMs: number): void {
    const name = errorClassName(error);
    this.errors.set(name, (this.errors.get(name) ?? 0) + 1);
    this.tick(endMs);
  }

  result(durationMs: number): OperationResult {
    this.flush();
    const latency = summarizeHistogram(this.latency);
    return {
      name: this.name,
      count: latency.count,
      throughput: durationMs > 0 ? latency.count / (durationMs / 1000) : 0,
      errors: Object.fromEntries(this.errors),
      latency,
      ...(this.uncorrected ? { uncorrectedLatency: summarizeHistogram(this.uncorrected) } : {}),
      series: this.series.slice(),
    };
  }

  /** Close the per-second buckets before the one `endMs` falls in (empty seconds get ops: 0). */
  private tick(endMs: number): void {
    const sec = Math.max(0, Math.floor((endMs - this.measureStartMs) / 1000));
    while (sec > this.currentSecond) {
      this.flush();
      this.currentSecond++;
    }
  }

  private flush(): void {
    if (this.series.at(-1)?.t === this.currentSecond) return;
    this.series.push({
      t: this.currentSecond,
      ops: this.second.totalCount,
      p99Us: this.second.totalCount ? this.second.getValueAtPercentile(99) : 0,
    });
    this.second.reset();
  }
}

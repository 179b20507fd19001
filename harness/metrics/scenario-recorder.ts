// The Recorder operations receive: named counters and distributions (µs) for the measure phase.
import type { HistogramSummary } from '../results/schema.ts';
import type { Recorder } from '../workload/scenario.ts';
import { createHistogram, summarizeHistogram, type Histogram } from './histogram.ts';

export class ScenarioRecorder implements Recorder {
  readonly counters = new Map<string, number>();
  private readonly distributions = new Map<string, Histogram>();
  private readonly censored = new Map<string, number>();

  count(name: string, by = 1): void {
    this.counters.set(name, (this.counters.get(name) ?? 0) + by);
  }

  observe(name: string, valueUs: number): void {
    let histogram = this.distributions.get(name);
    if (!histogram) {
      histogram = createHistogram();
      this.distributions.set(name, histogram);
    }
    histogram.recordValue(Math.max(0, Math.round(valueUs)));
  }

  censor(name: string, limitUs: number): void {
    this.observe(name, limitUs);
    this.censored.set(name, (this.censored.get(name) ?? 0) + 1);
  }

  distributionSummaries(): Record<string, HistogramSummary> {
    return Object.fromEntries(
      [...this.distributions].map(([name, h]) => {
        const censoredCount = this.censored.get(name);
        const summary = summarizeHistogram(h);
        return [name, censoredCount === undefined ? summary : { ...summary, censoredCount }];
      }),
    );
  }
}

/** Used during warmup: what operations report there is not kept. */
export const discardingRecorder: Recorder = Object.freeze({
  count() {},
  observe() {},
  censor() {},
});

import { describe, expect, it } from 'vitest';
import type { HistogramSummary } from '../results/schema.ts';
import { createHistogram, summarizeHistogram } from './histogram.ts';
import { generatorWarnings, schedulingLagWarnings, startSelfMonitor } from './self-monitor.ts';

function summaryOf(values: readonly number[]): HistogramSummary {
  const h = createHistogram();
  for (const v of values) h.recordValue(v);
  return summarizeHistogram(h);
}

const calm = {
  eventLoopDelayP99Ms: 1,
  eventLoopDelayMaxMs: 2,
  cpuShare: 0.2,
  runQueueWaitShare: 0,
  gcPauseShare: 0,
  gcPauseMaxMs: 0,
};

describe('generator warnings', () => {
  it('warns when the scheduling lag p99 is more than a quarter of an operation’s corrected p99, naming both', () => {
    const lag = summaryOf(Array.from({ length: 100 }, () => 40));
    const warnings = schedulingLagWarnings(lag, [
      { name: 'get', latency: summaryOf(Array.from({ length: 100 }, () => 100)) },
      { name: 'scan', latency: summaryOf(Array.from({ length: 100 }, () => 10_000)) },
    ]);
    expect(warnings).toHaveLength(1);
    expect(warnings[0]).toMatch(
      /^generator bottleneck: scheduling lag p99 40 µs is 40% of get's corrected p99 100 µs/,
    );
  });

  it('is silent when the lag is small against every operation, when nothing was scheduled or an operation has no data', () => {
    const lag = summaryOf(Array.from({ length: 100 }, () => 20));
    expect(schedulingLagWarnings(lag, [{ name: 'get', latency: summaryOf([100, 100, 100]) }])).toEqual([]);
    expect(schedulingLagWarnings(summaryOf([]), [{ name: 'get', latency: summaryOf([1]) }])).toEqual([]);
    expect(schedulingLagWarnings(lag, [{ name: 'get', latency: summaryOf([]) }])).toEqual([]);
  });

  it('does not read an open loop’s busy polling as a CPU bottleneck (its lateness is measured directly)', () => {
    const busy = { ...calm, cpuShare: 0.99 };
    expect(generatorWarnings({ reading: busy, lateStartShare: undefined })).toHaveLength(1);
    expect(generatorWarnings({ reading: busy, lateStartShare: 0 })).toEqual([]);
    expect(generatorWarnings({ reading: calm, lateStartShare: 0.5 })[0]).toMatch(
      /50\.0% of operations started late/,
    );
  });

  it.runIf(process.platform === 'linux')(
    'reads how long the harness waited for a CPU, and warns when other processes took much of it',
    () => {
      const monitor = startSelfMonitor();
      const until = performance.now() + 20;
      while (performance.now() < until) {
        // busy: the thread is runnable the whole time, so any wait is the OS's
      }
      const reading = monitor.stop();
      expect(reading.runQueueWaitShare).toBeGreaterThanOrEqual(0);
      expect(reading.runQueueWaitShare).toBeLessThanOrEqual(1.01);
      expect(generatorWarnings({ reading: { ...calm, runQueueWaitShare: 0.2 }, lateStartShare: 0 })).toEqual([
        expect.stringMatching(
          /^generator bottleneck: the harness waited for a CPU 20\.0% of the measure phase/,
        ),
      ]);
      expect(generatorWarnings({ reading: { ...calm, runQueueWaitShare: 0.01 }, lateStartShare: 0 })).toEqual(
        [],
      );
    },
  );

  it('adds up the garbage-collection pauses of the phase: time no arrival could start', async () => {
    const monitor = startSelfMonitor();
    // Enough short-lived garbage for several young-generation collections.
    let bucket: object[] = [];
    let made = 0;
    for (let i = 0; i < 2_000_000; i++) {
      bucket.push({ i });
      made++;
      if (bucket.length === 1_000) bucket = [];
    }
    await new Promise((resolve) => setImmediate(resolve));
    const reading = monitor.stop();
    expect(made).toBe(2_000_000);
    expect(reading.gcPauseShare).toBeGreaterThan(0);
    expect(reading.gcPauseShare).toBeLessThan(1);
    expect(reading.gcPauseMaxMs).toBeGreaterThan(0);
  });
});

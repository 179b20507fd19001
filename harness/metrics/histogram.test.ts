import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { seedFromEnv } from '../stats/random.ts';
import {
  createHistogram,
  decodeHistogram,
  mergeHistogramSummaries,
  summarizeHistogram,
} from './histogram.ts';

const values = fc.array(fc.integer({ min: 0, max: 120_000_000 }), { maxLength: 300 });

function summaryOf(list: readonly number[]) {
  const h = createHistogram();
  for (const v of list) h.recordValue(v);
  return summarizeHistogram(h);
}

describe('histograms', () => {
  it("merging two shards' histograms equals the histogram of the union", () => {
    fc.assert(
      fc.property(values, values, (a, b) => {
        const merged = mergeHistogramSummaries([summaryOf(a), summaryOf(b)]);
        const union = summaryOf([...a, ...b]);
        const { encoded: mergedEncoded, ...mergedFigures } = merged;
        const { encoded: unionEncoded, ...unionFigures } = union;
        expect(mergedFigures).toEqual(unionFigures);
        // Same recorded counts: decoding both gives identical percentile distributions.
        expect(decodeHistogram(mergedEncoded).outputPercentileDistribution()).toBe(
          decodeHistogram(unionEncoded).outputPercentileDistribution(),
        );
      }),
      { seed: seedFromEnv(), numRuns: 40 },
    );
  });

  it('summarises at 3 significant digits and round-trips through the encoding', () => {
    const s = summaryOf([100, 200, 300, 1_234_567]);
    expect(s.count).toBe(4);
    expect(s.minUs).toBe(100);
    expect(Math.abs(s.maxUs - 1_234_567) / 1_234_567).toBeLessThan(0.001);
    expect(decodeHistogram(s.encoded).totalCount).toBe(4);
    expect(summaryOf([])).toMatchObject({ count: 0, p99Us: 0, encoded: '' });
  });

  it('refuses an encoding that does not match its summary or is not a histogram', () => {
    const s = summaryOf([1, 2, 3]);
    expect(() => mergeHistogramSummaries([{ ...s, count: 4 }])).toThrow(
      /holds 3 values but its summary says count 4/,
    );
    expect(() => mergeHistogramSummaries([{ ...s, encoded: 'bm90IGEgaGlzdG9ncmFt' }])).toThrow(
      /not a compressed base64 HdrHistogram/,
    );
  });
});

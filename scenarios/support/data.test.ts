import { describe, expect, it } from 'vitest';
import { Rng } from '../../harness/workload/random.ts';
import { SERIES_END_MS, seriesBatches, seriesPoints } from './data.ts';

describe('series data', () => {
  it('streamed in batches, a series is the same points as built whole, and ends at SERIES_END_MS', () => {
    for (const [points, batch] of [
      [12_345, 5_000],
      [10, 3],
      [4, 4],
      [1, 5_000],
    ] as const) {
      const whole = seriesPoints(new Rng(42), 'cpu-0', points, 10_000);
      const batches = [...seriesBatches(new Rng(42), 'cpu-0', points, 10_000, batch)];
      expect(batches.every((b) => b.length <= batch)).toBe(true);
      expect(batches).toHaveLength(Math.ceil(points / batch));
      expect(batches.flat()).toEqual(whole);
      expect(whole).toHaveLength(points);
      expect(whole.at(-1)!.timestamp.getTime()).toBe(SERIES_END_MS - 10_000);
    }
    expect([...seriesBatches(new Rng(1), 'x', 0, 10_000, 5)]).toEqual([]);
  });
});

import { describe, expect, it } from 'vitest';
import { inParallel } from './in-parallel.ts';

describe('inParallel', () => {
  const tick = () => new Promise((resolve) => setTimeout(resolve, 1));

  it('keeps at most `limit` calls in flight and takes every item once, in order of start', async () => {
    for (const [count, limit] of [
      [10, 3],
      [2, 4],
      [5, 5],
      [0, 2],
    ] as const) {
      const items = Array.from({ length: count }, (_, i) => i);
      const started: number[] = [];
      let inFlight = 0;
      let most = 0;
      await inParallel(items, limit, async (item) => {
        started.push(item);
        most = Math.max(most, ++inFlight);
        await tick();
        inFlight--;
      });
      expect(started, `${count} items, limit ${limit}`).toEqual(items);
      expect(most, `${count} items, limit ${limit}`).toBe(Math.min(count, limit));
    }
  });

  it('rejects with the first failure', async () => {
    const error = new Error('item 2 failed');
    await expect(
      inParallel([1, 2, 3], 2, async (item) => {
        await tick();
        if (item === 2) throw error;
      }),
    ).rejects.toBe(error);
  });
});

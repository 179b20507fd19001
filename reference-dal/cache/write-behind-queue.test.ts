// The queue alone, with plain function sinks (the sink is the caller's code, not a store); the
// contract suite runs it against a real PostgreSQL sink.
import { describe, expect, it } from 'vitest';
import { WriteBehindClosedError, WriteBehindQueue, type WriteBehindEntry } from './write-behind-queue.ts';

const settings = { maxPending: 3, batchSize: 2, flushIntervalMs: 3_600_000, maxAttempts: 2, retryDelayMs: 0 };

describe('WriteBehindQueue', () => {
  it('makes a writer wait for a flush when full, and delivers every write once in seq order', async () => {
    const delivered: WriteBehindEntry[] = [];
    await using queue = new WriteBehindQueue({
      ...settings,
      sink: async (writes) => {
        await new Promise((resolve) => setTimeout(resolve, 2));
        delivered.push(...writes);
      },
    });
    const seqs = await Promise.all(Array.from({ length: 10 }, (_, i) => queue.enqueue(`k${i % 3}`, i)));
    expect(queue.pending).toBeLessThanOrEqual(3);
    expect(seqs.map((e) => e.seq)).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9, 10]);
    await queue.close();
    expect(delivered.map((e) => e.seq)).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9, 10]);
    expect(queue.stats()).toEqual({
      accepted: 10,
      flushed: 10,
      failedAttempts: 0,
      deadLettered: 0,
      pending: 0,
    });
    expect(queue.latest('k0')).toBeUndefined();
  });

  it('retries a failing batch a bounded number of times, then dead-letters it and goes on', async () => {
    let calls = 0;
    const delivered: number[] = [];
    const queue = new WriteBehindQueue({
      ...settings,
      sink: (writes) => {
        calls++;
        // The first batch always fails (both attempts); later ones succeed.
        if (writes.some((w) => w.seq === 1)) return Promise.reject(new Error('sink down'));
        delivered.push(...writes.map((w) => w.seq));
        return Promise.resolve();
      },
    });
    for (let i = 0; i < 3; i++) await queue.enqueue('k', i);
    await queue.close();
    expect(calls).toBe(3);
    expect(delivered).toEqual([3]);
    expect(queue.deadLetters().map((d) => [d.write.seq, d.attempts, (d.error as Error).message])).toEqual([
      [1, 2, 'sink down'],
      [2, 2, 'sink down'],
    ]);
    expect(queue.stats()).toMatchObject({
      accepted: 3,
      flushed: 1,
      failedAttempts: 2,
      deadLettered: 2,
      pending: 0,
    });
  });

  it('flushes on its interval without being asked', async () => {
    const delivered: number[] = [];
    await using queue = new WriteBehindQueue({
      ...settings,
      flushIntervalMs: 5,
      sink: (writes) => {
        delivered.push(...writes.map((w) => w.seq));
        return Promise.resolve();
      },
    });
    await queue.enqueue('k', 1);
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(delivered).toEqual([1]);
    expect(queue.pending).toBe(0);
  });

  it('refuses writes after close', async () => {
    const queue = new WriteBehindQueue({ ...settings, sink: () => Promise.resolve() });
    await queue.close();
    await expect(queue.enqueue('k', 1)).rejects.toBeInstanceOf(WriteBehindClosedError);
  });
});

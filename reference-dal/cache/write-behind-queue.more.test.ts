// The queue's finer promises, pinned one by one (each test names what it holds): which writes a
// flush waits for, what the interval leaves to the next tick, the retry schedule, the dead-letter
// cap, the per-key "latest pending" view, close and dispose. Plain function sinks (the sink is the
// caller's code, not a store); the retry schedule runs on fake timers, everything else on events.
import { afterEach, describe, expect, it, vi } from 'vitest';
import { WriteBehindClosedError, WriteBehindQueue, type WriteBehindEntry } from './write-behind-queue.ts';

const settings = {
  maxPending: 100,
  batchSize: 1,
  flushIntervalMs: 3_600_000,
  maxAttempts: 1,
  retryDelayMs: 0,
};

/** A sink that records every call and holds each one until `releaseNext()`. */
function gatedSink() {
  const calls: number[][] = [];
  const waiting: (() => void)[] = [];
  return {
    calls,
    sink: (writes: readonly WriteBehindEntry[]) => {
      calls.push(writes.map((w) => w.seq));
      return new Promise<void>((resolve) => waiting.push(resolve));
    },
    /** Let the oldest held call succeed. */
    releaseNext() {
      const next = waiting.shift();
      if (!next) throw new Error('no sink call is waiting');
      next();
    },
    get waiting() {
      return waiting.length;
    },
  };
}

/** Let every queued microtask and I/O callback run (no timer is involved). */
const settle = () => new Promise<void>((resolve) => setImmediate(resolve));

afterEach(() => {
  vi.useRealTimers();
});

describe('WriteBehindQueue (details)', () => {
  it('flush waits only for the writes accepted before it was called', async () => {
    const delivered: number[] = [];
    await using queue = new WriteBehindQueue({
      ...settings,
      sink: (writes) => {
        delivered.push(...writes.map((w) => w.seq));
        return Promise.resolve();
      },
    });
    await queue.enqueue('a', 1);
    const flushing = queue.flush();
    await queue.enqueue('b', 2); // accepted after flush() began
    await queue.enqueue('c', 3);
    await flushing;
    expect(delivered).toEqual([1]);
    expect(queue.pending).toBe(2);
    expect(queue.latest('b')?.seq).toBe(2);
  });

  it('the interval starts no second flush while a batch is in flight; the next tick takes later writes', async () => {
    vi.useFakeTimers();
    const gate = gatedSink();
    const queue = new WriteBehindQueue({ ...settings, flushIntervalMs: 10, sink: gate.sink });
    await queue.enqueue('a', 1);
    await vi.advanceTimersByTimeAsync(10); // tick 1: flushes write 1 (held)
    expect(gate.calls).toEqual([[1]]);
    await queue.enqueue('b', 2);
    await vi.advanceTimersByTimeAsync(10); // tick 2: a batch is in flight, so nothing new starts
    gate.releaseNext();
    await vi.advanceTimersByTimeAsync(0);
    // Write 2 was accepted after tick 1's flush began: it waits for the next tick.
    expect(gate.calls).toEqual([[1]]);
    expect(queue.pending).toBe(1);
    await vi.advanceTimersByTimeAsync(10); // tick 3
    expect(gate.calls).toEqual([[1], [2]]);
    gate.releaseNext();
    await queue.close();
    expect(queue.stats()).toMatchObject({ accepted: 2, flushed: 2, pending: 0 });
  });

  it('waits retryDelayMs · 2^(n-1) before retry n, and not before the first attempt', async () => {
    vi.useFakeTimers();
    const start = Date.now();
    const attemptsAt: number[] = [];
    const queue = new WriteBehindQueue({
      ...settings,
      maxAttempts: 4,
      retryDelayMs: 100,
      sink: () => {
        attemptsAt.push(Date.now() - start);
        return Promise.reject(new Error('sink down'));
      },
    });
    await queue.enqueue('k', 1);
    const flushing = queue.flush();
    await vi.advanceTimersByTimeAsync(1_000);
    await flushing;
    expect(attemptsAt).toEqual([0, 100, 300, 700]);
    expect(queue.stats()).toMatchObject({ failedAttempts: 4, deadLettered: 1, pending: 0 });
    await queue.close();
  });

  it('tells onFlushError about each failed attempt, and survives it throwing', async () => {
    const told: [string, number, number[]][] = [];
    let calls = 0;
    const delivered: number[] = [];
    const queue = new WriteBehindQueue({
      ...settings,
      maxAttempts: 3,
      sink: (writes) => {
        calls++;
        if (calls <= 2) return Promise.reject(new Error(`down ${calls}`));
        delivered.push(...writes.map((w) => w.seq));
        return Promise.resolve();
      },
      onFlushError: (error, attempt, batch) => {
        told.push([(error as Error).message, attempt, batch.map((w) => w.seq)]);
        throw new Error('the log callback fails too');
      },
    });
    await queue.enqueue('k', 1);
    await queue.close();
    expect(told).toEqual([
      ['down 1', 1, [1]],
      ['down 2', 2, [1]],
    ]);
    expect(delivered).toEqual([1]);
    expect(queue.stats()).toMatchObject({ flushed: 1, failedAttempts: 2, deadLettered: 0 });
    expect(queue.deadLetters()).toEqual([]);
  });

  it('keeps the newest 1,000 dead letters and counts them all', async () => {
    const queue = new WriteBehindQueue({
      ...settings,
      maxPending: 2_000,
      batchSize: 2_000,
      sink: () => Promise.reject(new Error('sink down')),
    });
    for (let i = 0; i < 1_001; i++) await queue.enqueue(`k${i}`, i);
    await queue.close();
    const letters = queue.deadLetters();
    expect(letters).toHaveLength(1_000);
    expect(letters[0]?.write.seq).toBe(2);
    expect(letters.at(-1)?.write.seq).toBe(1_001);
    expect(queue.stats().deadLettered).toBe(1_001);
  });

  it('keeps a newer pending write of a key visible when an older one of that key is flushed', async () => {
    const gate = gatedSink();
    const queue = new WriteBehindQueue({ ...settings, sink: gate.sink });
    await queue.enqueue('k', 'old');
    const flushing = queue.flush(); // batch [1] held
    await queue.enqueue('k', 'new');
    gate.releaseNext();
    await flushing;
    expect(queue.latest('k')).toEqual({ key: 'k', value: 'new', seq: 2 });
    const closing = queue.close();
    await settle();
    gate.releaseNext();
    await closing;
    expect(queue.latest('k')).toBeUndefined();
  });

  it('refuses at once a writer that finds the queue full while it closes', async () => {
    const gate = gatedSink();
    const queue = new WriteBehindQueue({ ...settings, maxPending: 1, sink: gate.sink });
    await queue.enqueue('a', 1);
    const closing = queue.close(); // flushes write 1, held by the sink
    expect(queue.closed).toBe(true);
    let refused: unknown;
    queue.enqueue('b', 2).catch((error: unknown) => (refused = error));
    await settle();
    // Refused while the close's batch is still held, not after it.
    expect(gate.waiting).toBe(1);
    expect(refused).toBeInstanceOf(WriteBehindClosedError);
    expect(refused).toMatchObject({
      name: 'WriteBehindClosedError',
      message: 'write-behind queue is closed; the write was not accepted',
    });
    gate.releaseNext();
    await closing;
    expect(gate.calls).toEqual([[1]]);
  });

  it('reports closed only once close() was called', async () => {
    const queue = new WriteBehindQueue({ ...settings, sink: () => Promise.resolve() });
    expect(queue.closed).toBe(false);
    await queue.close();
    expect(queue.closed).toBe(true);
  });

  it('resetStats zeroes the counters, not the pending writes nor the dead letters', async () => {
    const gate = gatedSink();
    let fail = true;
    const queue = new WriteBehindQueue({
      ...settings,
      sink: (writes) => (fail ? Promise.reject(new Error('down')) : gate.sink(writes)),
    });
    await queue.enqueue('a', 1);
    await queue.flush(); // dead-lettered
    fail = false;
    await queue.enqueue('b', 2);
    expect(queue.stats()).toEqual({
      accepted: 2,
      flushed: 0,
      failedAttempts: 1,
      deadLettered: 1,
      pending: 1,
    });
    queue.resetStats();
    expect(queue.stats()).toEqual({
      accepted: 0,
      flushed: 0,
      failedAttempts: 0,
      deadLettered: 0,
      pending: 1,
    });
    expect(queue.deadLetters()).toHaveLength(1);
    const closing = queue.close();
    await settle();
    gate.releaseNext();
    await closing;
    expect(queue.stats()).toEqual({
      accepted: 0,
      flushed: 1,
      failedAttempts: 0,
      deadLettered: 0,
      pending: 0,
    });
  });

  it('await using closes the queue, flushing what it accepted', async () => {
    const delivered: number[] = [];
    let outside: WriteBehindQueue | undefined;
    {
      await using queue = new WriteBehindQueue({
        ...settings,
        sink: (writes) => {
          delivered.push(...writes.map((w) => w.seq));
          return Promise.resolve();
        },
      });
      outside = queue;
      await queue.enqueue('k', 1);
    }
    expect(delivered).toEqual([1]);
    expect(outside.closed).toBe(true);
  });

  it('decodes each write once, when the flush or latest() first reads it, never on enqueue', async () => {
    const decoded: string[] = [];
    let failFirst = true;
    const delivered: WriteBehindEntry[] = [];
    const queue = new WriteBehindQueue({
      ...settings,
      batchSize: 10,
      maxAttempts: 2,
      decode: (stored) => {
        decoded.push(stored as string);
        return JSON.parse(stored as string) as unknown;
      },
      sink: (writes) => {
        if (failFirst) {
          failFirst = false;
          return Promise.reject(new Error('sink down once'));
        }
        delivered.push(...writes);
        return Promise.resolve();
      },
    });
    await queue.enqueue('a', '{"n":1}');
    expect(queue.tryEnqueue('b', '{"n":2}')?.seq).toBe(2);
    expect(decoded).toEqual([]);
    expect(queue.latest('b')).toEqual({ key: 'b', value: { n: 2 }, seq: 2 });
    expect(decoded).toEqual(['{"n":2}']);
    await queue.close();
    // The retry reuses the entries of the failed attempt: one decode per write in all.
    expect(decoded).toEqual(['{"n":2}', '{"n":1}']);
    expect(delivered).toEqual([
      { key: 'a', value: { n: 1 }, seq: 1 },
      { key: 'b', value: { n: 2 }, seq: 2 },
    ]);
  });

  it('tryEnqueue accepts while there is room, returns undefined when full, and refuses once closed', async () => {
    const gate = gatedSink();
    const queue = new WriteBehindQueue({ ...settings, maxPending: 2, sink: gate.sink });
    expect(queue.tryEnqueue('a', 1)?.seq).toBe(1);
    expect(queue.tryEnqueue('b', 2)?.seq).toBe(2);
    expect(queue.tryEnqueue('c', 3)).toBeUndefined();
    expect(queue.stats()).toMatchObject({ accepted: 2, pending: 2 });
    const closing = queue.close();
    expect(() => queue.tryEnqueue('d', 4)).toThrow(WriteBehindClosedError);
    await settle();
    gate.releaseNext();
    await settle();
    gate.releaseNext();
    await closing;
    expect(gate.calls).toEqual([[1], [2]]);
  });
});

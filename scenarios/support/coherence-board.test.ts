// The board writers publish acknowledged versions to and second-client readers judge against.
import { Worker } from 'node:worker_threads';
import { describe, expect, it } from 'vitest';
import { CoherenceBoard } from './coherence-board.ts';
import { SlotPool } from './slot-pool.ts';

describe('CoherenceBoard', () => {
  it('never lowers a key: publishers that race keep the newest acknowledged version', () => {
    const board = CoherenceBoard.create(3);
    expect(board.required(1)).toBe(0);
    board.publish(1, 5);
    board.publish(1, 4);
    expect(board.required(1)).toBe(5);
    expect(board.required(0)).toBe(0);
    expect(() => board.publish(3, 1)).toThrow(RangeError);
    expect(() => CoherenceBoard.create(0)).toThrow(RangeError);
  });

  it('is shared with another thread through its buffers', async () => {
    const board = CoherenceBoard.create(2);
    board.publish(0, 7);
    // A plain-JS worker: it sees version 7 and adds one stale read of two.
    const worker = new Worker(
      `const { workerData, parentPort } = require('node:worker_threads');
       const versions = new Int32Array(workerData.versions);
       const counters = new Int32Array(workerData.counters);
       Atomics.add(counters, 0, 2);
       Atomics.add(counters, 1, Atomics.load(versions, 0) === 7 ? 1 : 0);
       parentPort.postMessage('done');`,
      { eval: true, workerData: board.buffers },
    );
    await new Promise((resolve, reject) => worker.once('message', resolve).once('error', reject));
    await worker.terminate();
    expect(board.read('reads')).toBe(2);
    expect(board.read('staleReads')).toBe(1);
    expect(CoherenceBoard.open(board.buffers).required(0)).toBe(7);
  });
});

describe('SlotPool', () => {
  it('hands each slot to one holder at a time, lowest first', () => {
    const pool = new SlotPool(2);
    expect([pool.take(), pool.take(), pool.take()]).toEqual([0, 1, undefined]);
    pool.release(0);
    expect(pool.take()).toBe(0);
    pool.release(1);
    expect(() => pool.release(1)).toThrow(/twice/);
  });
});

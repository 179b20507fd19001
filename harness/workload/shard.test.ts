import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { parseShard, shardPlan, ShardSpecError } from './shard.ts';
import { seedFromEnv } from '../stats/random.ts';

describe('shardPlan', () => {
  it('deals workers and ops to shards disjointly and completely', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 64 }),
        fc.integer({ min: 1, max: 16 }),
        fc.nat(10_000),
        (concurrency, count, ops) => {
          const plans = Array.from({ length: count }, (_, i) =>
            shardPlan({ type: 'closed', concurrency }, { index: i + 1, count }, ops),
          );
          const streams = plans.flatMap((p) => p.streams).sort((a, b) => a - b);
          expect(streams).toEqual(Array.from({ length: concurrency }, (_, i) => i));
          expect(plans.reduce((a, p) => a + p.maxOps!, 0)).toBe(ops);
          for (const p of plans) {
            expect(p.streamCount).toBe(concurrency);
            expect(p.load.concurrency).toBe(p.streams.length);
          }
          // Pure: the same input gives the same plan.
          expect(shardPlan({ type: 'closed', concurrency }, { index: 1, count }, ops)).toEqual(plans[0]);
        },
      ),
      { seed: seedFromEnv(), numRuns: 200 },
    );
  });

  it('splits an open-loop rate evenly, one stream per shard', () => {
    const plans = [1, 2, 3, 4].map((index) =>
      shardPlan({ type: 'open', ratePerSec: 1000, arrival: 'poisson' }, { index, count: 4 }),
    );
    expect(plans.map((p) => p.load.ratePerSec)).toEqual([250, 250, 250, 250]);
    expect(plans.map((p) => p.streams)).toEqual([[0], [1], [2], [3]]);
  });

  it('parses i/N and rejects anything else by flag name', () => {
    expect(parseShard('2/4')).toEqual({ index: 2, count: 4 });
    for (const bad of ['0/4', '5/4', '1', 'a/b', '1/0', '']) {
      expect(() => parseShard(bad)).toThrow(ShardSpecError);
      expect(() => parseShard(bad)).toThrow(/--shard: expected i\/N/);
    }
  });
});

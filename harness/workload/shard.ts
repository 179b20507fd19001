// `--shard i/N`: which share of the load shard i runs. Pure: the same (load, shard) always gives
// the same share, shares are disjoint and together make the whole, and each stream keeps its
// global index so its seeded sequence is the one an unsharded run would produce.
import { z } from 'zod';

export const shardSchema = z
  .object({ index: z.number().int().min(1), count: z.number().int().min(1) })
  .refine((s) => s.index <= s.count, { message: 'expected shard index ≤ shard count' });
export type Shard = z.infer<typeof shardSchema>;

export class ShardSpecError extends Error {
  override name = 'ShardSpecError';
}

/** Parse "i/N" (1-based). */
export function parseShard(text: string): Shard {
  const match = /^(\d+)\/(\d+)$/.exec(text.trim());
  const parsed = match
    ? shardSchema.safeParse({ index: Number(match[1]), count: Number(match[2]) })
    : undefined;
  if (!parsed?.success)
    throw new ShardSpecError(`--shard: expected i/N with 1 ≤ i ≤ N (e.g. 2/4), got "${text}"`);
  return parsed.data;
}

export type ShardLoad =
  | { type: 'closed'; concurrency: number }
  | { type: 'open'; ratePerSec: number; arrival: 'poisson' | 'constant' };

export interface ShardPlan<L extends ShardLoad> {
  /** This shard's load: its workers, or its share of the rate. */
  readonly load: L;
  /** Global stream indexes this shard runs (closed: worker indexes; open: one stream, the shard's). */
  readonly streams: readonly number[];
  /** Streams of the whole run, across shards. */
  readonly streamCount: number;
  /** This shard's share of an operation budget, if one was given. */
  readonly maxOps: number | undefined;
}

/**
 * Closed loop: workers are dealt round-robin (shard i runs workers i-1, i-1+N, ...); a shard can
 * get 0 workers when N > concurrency. Open loop: each shard offers rate/N on its own stream.
 * An op budget is split as evenly as integers allow, the first shards taking the remainder.
 */
export function shardPlan<L extends ShardLoad>(
  load: L,
  shard: Shard = { index: 1, count: 1 },
  maxOps?: number,
): ShardPlan<L> {
  const { index, count } = shardSchema.parse(shard);
  const i = index - 1;
  const opsShare =
    maxOps === undefined ? undefined : Math.floor(maxOps / count) + (i < maxOps % count ? 1 : 0);
  if (load.type === 'closed') {
    const streams: number[] = [];
    for (let w = i; w < load.concurrency; w += count) streams.push(w);
    return {
      load: { ...load, concurrency: streams.length },
      streams,
      streamCount: load.concurrency,
      maxOps: opsShare,
    };
  }
  return {
    load: { ...load, ratePerSec: load.ratePerSec / count },
    streams: [i],
    streamCount: count,
    maxOps: opsShare,
  };
}

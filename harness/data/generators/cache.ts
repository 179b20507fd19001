// The cache working set: `workingSet` keys with JSON values of about `valueBytes`, entry i a
// function of (seed, i) only. Workloads pick keys from it (e.g. Zipfian); loaders warm from it.
import { Rng } from '../../workload/random.ts';
import type { CacheScale } from '../scale.ts';
import { STREAMS } from './hash.ts';

export interface CacheEntry {
  readonly key: string;
  readonly value: string;
}

export function cacheKey(index: number): string {
  return `dataset:cache:${index}`;
}

export class CacheGenerator {
  readonly seed: number;
  readonly scale: CacheScale;

  constructor(options: { seed: number; scale: CacheScale }) {
    if (!Number.isSafeInteger(options.scale.workingSet) || options.scale.workingSet < 1) {
      throw new RangeError(`cache.workingSet: expected a positive integer, got ${options.scale.workingSet}`);
    }
    this.seed = options.seed;
    this.scale = options.scale;
  }

  get total(): number {
    return this.scale.workingSet;
  }

  entry(index: number): CacheEntry {
    const rng = Rng.at(this.seed, STREAMS.cache, index);
    const pad = Math.max(0, this.scale.valueBytes - 64);
    const payload = Buffer.from(rng.bytes(Math.ceil((pad * 3) / 4)))
      .toString('base64')
      .slice(0, pad);
    return { key: cacheKey(index), value: JSON.stringify({ id: index, version: 1 + rng.int(5), payload }) };
  }

  *entries(): Generator<CacheEntry> {
    for (let i = 0; i < this.scale.workingSet; i++) yield this.entry(i);
  }
}

// Stateless seeded hashing for generators whose every record is a pure function of (seed, stream,
// index): the same record comes out whatever order or size a dataset is generated in.
import { deriveSeed } from '../../workload/random.ts';

/** Streams of one dataset seed; never renumber (the data of a seed would change). */
export const STREAMS = {
  metrics: 1,
  documents: 2,
  objects: 3,
  cache: 4,
  vocabulary: 5,
} as const;

/** Murmur3's finaliser. */
export function mix32(x: number): number {
  x = Math.imul(x ^ (x >>> 16), 0x85ebca6b);
  x = Math.imul(x ^ (x >>> 13), 0xc2b2ae35);
  return (x ^ (x >>> 16)) >>> 0;
}

/** Uniform in [0, 1) from a 32-bit key and an index (cheap: two mixes). */
export function unitAt(key: number, index: number): number {
  return mix32(key ^ mix32((index + 0x6a09e667) >>> 0)) / 0x1_0000_0000;
}

/** A 32-bit key for a sub-stream (e.g. one series, one noise octave). */
export function keyOf(seed: number, ...path: readonly number[]): number {
  return deriveSeed(seed, ...path);
}

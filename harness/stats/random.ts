// Seeded randomness for resampling: every bootstrap and permutation is replayable from its seed.

/** mulberry32: a small, fast 32-bit generator; good enough for resampling, not for cryptography. */
export function seededRandom(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** The seed to replay a property test with: env DALBENCH_SEED when set, else a fresh one (printed on failure). */
export function envSeed(env: NodeJS.ProcessEnv = process.env): number {
  const raw = env['DALBENCH_SEED'];
  if (raw === undefined || raw === '') return Math.floor(Math.random() * 2 ** 31);
  const seed = Number(raw);
  if (!Number.isInteger(seed)) throw new Error(`DALBENCH_SEED: expected an integer, got "${raw}"`);
  return seed;
}

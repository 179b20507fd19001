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

/**
 * The one reader of DALBENCH_SEED (tests, properties, benches): a decimal integer fast-check and
 * mulberry32 both accept, or undefined when unset or blank. Anything else (`1e3`, `0x10`, `4.5`, a
 * number beyond 2^53) is an error naming the variable and the value, never a silent different seed.
 */
export function seedFromEnv(env: NodeJS.ProcessEnv = process.env): number | undefined {
  const raw = env['DALBENCH_SEED']?.trim();
  if (raw === undefined || raw === '') return undefined;
  const seed = Number(raw);
  if (!/^-?\d+$/.test(raw) || !Number.isSafeInteger(seed))
    throw new Error(`DALBENCH_SEED: expected an integer, got "${env['DALBENCH_SEED']}"`);
  return seed;
}

/** The seed to replay a run with: DALBENCH_SEED when set, else a fresh one (print it so it can be replayed). */
export function envSeed(env: NodeJS.ProcessEnv = process.env): number {
  return seedFromEnv(env) ?? Math.floor(Math.random() * 2 ** 31);
}

// Property tests replay with DALBENCH_SEED (fast-check prints the seed and path on failure).
export function envSeed(): number | undefined {
  const raw = process.env.DALBENCH_SEED;
  if (raw === undefined || raw === '') return undefined;
  const seed = Number(raw);
  if (!Number.isInteger(seed)) throw new Error(`DALBENCH_SEED: expected an integer, got "${raw}"`);
  return seed;
}

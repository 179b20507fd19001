// Benjamini–Hochberg false-discovery-rate adjustment: a compare table tests hundreds of
// scenario × profile × operation × metric rows at once; without it an A/A compare would flag ~5 % of them.

/** Adjusted p-values in input order: p_(i) · m / i, made monotone from the largest down, capped at 1. */
export function benjaminiHochberg(pValues: readonly number[]): number[] {
  const m = pValues.length;
  const order = pValues.map((p, i) => ({ p, i })).sort((a, b) => a.p - b.p);
  const adjusted = new Array<number>(m);
  let running = 1;
  for (let rank = m; rank >= 1; rank--) {
    const entry = order[rank - 1]!;
    running = Math.min(running, (entry.p * m) / rank);
    adjusted[entry.i] = running;
  }
  return adjusted;
}

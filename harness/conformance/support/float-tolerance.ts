// Float comparison for aggregates: sums computed in a different order differ in the last bits.
// Tolerance: |a - b| <= 1e-9 * max(1, sum of |values| in the bucket).

export function closeEnough(actual: number, expected: number, magnitude: number): boolean {
  return Math.abs(actual - expected) <= 1e-9 * Math.max(1, magnitude);
}

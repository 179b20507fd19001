// Mann–Whitney U (Wilcoxon rank-sum) test, two-sided, normal approximation with tie and continuity
// correction. Rank-based, so one outlier repeat cannot fake a change. simple-statistics gives the
// normal CDF (`cumulativeStdNormalProbability`); its `wilcoxonRankSum` returns only the statistic.
import { cumulativeStdNormalProbability } from 'simple-statistics';

export interface RankTestResult {
  u: number;
  z: number;
  pValue: number;
}

export function mannWhitneyU(a: readonly number[], b: readonly number[]): RankTestResult {
  const n1 = a.length;
  const n2 = b.length;
  if (n1 === 0 || n2 === 0) return { u: 0, z: 0, pValue: 1 };
  const pooled = [
    ...a.map((value) => ({ value, fromA: true })),
    ...b.map((value) => ({ value, fromA: false })),
  ];
  pooled.sort((x, y) => x.value - y.value);
  let rankSumA = 0;
  let tieTerm = 0;
  for (let i = 0; i < pooled.length;) {
    let j = i;
    while (j + 1 < pooled.length && pooled[j + 1]!.value === pooled[i]!.value) j++;
    const rank = (i + j) / 2 + 1; // average rank of the tie group, 1-based
    const size = j - i + 1;
    tieTerm += size ** 3 - size;
    for (let k = i; k <= j; k++) if (pooled[k]!.fromA) rankSumA += rank;
    i = j + 1;
  }
  const u = rankSumA - (n1 * (n1 + 1)) / 2;
  const n = n1 + n2;
  const meanU = (n1 * n2) / 2;
  const varU = ((n1 * n2) / 12) * (n + 1 - tieTerm / (n * (n - 1)));
  if (varU <= 0) return { u, z: 0, pValue: 1 };
  const z = Math.max(0, Math.abs(u - meanU) - 0.5) / Math.sqrt(varU);
  const pValue = Math.min(1, 2 * (1 - cumulativeStdNormalProbability(z)));
  return { u, z, pValue };
}

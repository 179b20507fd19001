// Flags `run` and `check` share for judging budgets, parsed once at the edge.
import { FlagError } from '../../run/resolve-plan.ts';

/** "0.5%" → 0.005; a bare number is read as a percentage too ("1" → 0.01). */
export function parseErrorShare(flag: string, raw: string): number {
  const match = /^\s*(\d+(?:\.\d+)?)\s*%?\s*$/.exec(raw);
  const pct = match ? Number(match[1]) : NaN;
  if (!(pct >= 0 && pct <= 100))
    throw new FlagError(`${flag}: expected a share from 0% to 100% (e.g. 0.1%), got "${raw}"`);
  return pct / 100;
}

export const BUDGET_FLAG_HELP = {
  skippedAsFail: 'a budget that could not be judged (not evaluated, inconclusive) fails: exit 1 instead of 2',
  allowInconclusive: 'inconclusive verdicts (a shortfall inside the noise band) do not affect the exit code',
  maxErrorShare:
    "latency/throughput/improvement budgets are not evaluated above this error share (default 0.1%, or the set's maxErrorShare)",
  noise: 'noise.json from `dalbench calibrate`: a relative shortfall inside the noise is inconclusive',
} as const;

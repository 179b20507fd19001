// A `--scale` sweep read as the architect's question: per operation, p50 against data size with one
// line per profile, and the size at which a profile overtakes the baseline (interpolated on a log
// size axis), or that it never does up to the largest size measured.
import { scenarioBase } from '../budgets/select.ts';
import { median } from 'simple-statistics';
import type { Results } from '../results/schema.ts';

export interface ScalePoint {
  readonly scale: string;
  readonly factor: number;
  /** Median over repeats of each run's p50, µs; low/high: the range over repeats. */
  readonly p50Us: number;
  readonly lowUs: number;
  readonly highUs: number;
  readonly repeats: number;
}

export interface SweepLine {
  readonly profile: string;
  readonly points: readonly ScalePoint[];
}

export interface Crossover {
  readonly profile: string;
  readonly baseline: string;
  /** crosses: becomes faster between two sizes; faster/slower: at every size measured. */
  readonly status: 'crosses' | 'faster' | 'slower' | 'insufficient';
  /** Interpolated size factor (relative to s) where the profile's p50 meets the baseline's. */
  readonly atFactor?: number;
  readonly text: string;
}

export interface SweepOperation {
  readonly scenario: string;
  readonly operation: string;
  readonly driver: string;
  readonly lines: readonly SweepLine[];
  readonly crossovers: readonly Crossover[];
}

export const SWEEP_BASELINE = 'single-postgres';

export function sweepOperations(results: Results, baseline = SWEEP_BASELINE): SweepOperation[] {
  const groups = new Map<string, Map<string, Map<string, { factor: number; p50s: number[] }>>>();
  for (const run of results.scenarios) {
    if (!run.scale || run.status !== 'completed') continue;
    for (const op of run.operations) {
      if (op.latency.count === 0) continue;
      const key = [scenarioBase(run.scenario), op.name, run.driver].join('\u0000');
      const byProfile = groups.get(key) ?? new Map<string, Map<string, { factor: number; p50s: number[] }>>();
      groups.set(key, byProfile);
      const byScale = byProfile.get(run.profile) ?? new Map<string, { factor: number; p50s: number[] }>();
      byProfile.set(run.profile, byScale);
      const entry = byScale.get(run.scale.name) ?? { factor: run.scale.factor, p50s: [] };
      entry.p50s.push(op.latency.p50Us);
      byScale.set(run.scale.name, entry);
    }
  }
  return [...groups.entries()].map(([key, byProfile]) => {
    const [scenario = '', operation = '', driver = ''] = key.split('\u0000');
    const lines: SweepLine[] = [...byProfile.entries()].map(([profile, byScale]) => ({
      profile,
      points: [...byScale.entries()]
        .map(([scale, { factor, p50s }]) => ({
          scale,
          factor,
          p50Us: median(p50s),
          lowUs: Math.min(...p50s),
          highUs: Math.max(...p50s),
          repeats: p50s.length,
        }))
        .sort((a, b) => a.factor - b.factor),
    }));
    const base = lines.find((l) => l.profile === baseline);
    const crossovers = base ? lines.filter((l) => l !== base).map((l) => crossoverOf(l, base)) : [];
    return { scenario, operation, driver, lines, crossovers };
  });
}

/** Where `line` meets `base`: the sign change of log(p50 ratio), interpolated on log(size). */
export function crossoverOf(line: SweepLine, base: SweepLine): Crossover {
  const shared = line.points
    .map((p) => ({ p, b: base.points.find((q) => q.scale === p.scale) }))
    .filter(
      (x): x is { p: ScalePoint; b: ScalePoint } => x.b !== undefined && x.p.p50Us > 0 && x.b.p50Us > 0,
    );
  const who = { profile: line.profile, baseline: base.profile };
  if (shared.length === 0)
    return { ...who, status: 'insufficient', text: `${line.profile} and ${base.profile} share no size` };
  const diffs = shared.map(({ p, b }) => ({ p, d: Math.log(p.p50Us / b.p50Us) }));
  const last = shared.at(-1)!.p;
  const lastBase = shared.at(-1)!.b;
  // How sure the statement at the largest size is: a single run has no spread to compare with.
  const certainty =
    last.repeats < 2 || lastBase.repeats < 2
      ? ' (one run per profile at this size: no spread measured; use --repeat 3)'
      : last.lowUs <= lastBase.highUs && lastBase.lowUs <= last.highUs
        ? ` (the ranges over ${Math.min(last.repeats, lastBase.repeats)} repeats overlap: not a clear difference)`
        : '';
  const first = shared[0]!.p;
  for (let i = 1; i < diffs.length; i++) {
    const before = diffs[i - 1]!;
    const after = diffs[i]!;
    if (before.d >= 0 && after.d < 0) {
      const x1 = Math.log(before.p.factor);
      const x2 = Math.log(after.p.factor);
      const atFactor = Math.exp(x1 + ((x2 - x1) * before.d) / (before.d - after.d));
      const back = diffs.slice(i + 1).find((x) => x.d >= 0);
      return {
        ...who,
        status: 'crosses',
        atFactor,
        text:
          `${line.profile} overtakes ${base.profile} at ≈ ${formatFactor(atFactor)} × s (between ${before.p.scale} and ${after.p.scale}); ` +
          `at ${last.scale} its p50 is ${percentFaster(diffs.at(-1)!.d)}${certainty}` +
          (back ? `; it falls behind again at ${back.p.scale}` : ''),
      };
    }
  }
  if (diffs.every((x) => x.d < 0))
    return {
      ...who,
      status: 'faster',
      text:
        diffs.length === 1
          ? `${line.profile} is faster than ${base.profile} at ${last.scale}, the only size both measured (${percentFaster(diffs[0]!.d)}${certainty})`
          : `${line.profile} is faster than ${base.profile} at every size from ${first.scale} to ${last.scale} (at ${last.scale}: ${percentFaster(diffs.at(-1)!.d)}${certainty})`,
    };
  return {
    ...who,
    status: 'slower',
    text: `no crossover up to ${last.scale}${diffs.length === 1 ? ', the only size both measured' : ''}: ${line.profile} is not faster than ${base.profile} at ${last.scale} (${percentFaster(diffs.at(-1)!.d)}${certainty})`,
  };
}

function percentFaster(logRatio: number): string {
  const change = (Math.exp(logRatio) - 1) * 100;
  return change < 0 ? `${(-change).toFixed(0)} % lower` : `${change.toFixed(0)} % higher`;
}

function formatFactor(factor: number): string {
  return factor >= 10 ? factor.toFixed(0) : factor >= 1 ? factor.toFixed(1) : factor.toPrecision(2);
}

/** One line per crossover, for the verdict section, summary.md and the CLI. */
export function crossoverLine(op: SweepOperation, c: Crossover): string {
  return `${op.scenario}.${op.operation}${op.driver === 'dal' ? '' : ` (${op.driver})`} p50: ${c.text}`;
}

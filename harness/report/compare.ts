// Compare two runs (or two profiles of one run) per scenario × profile × driver × operation: throughput
// and p50/p95/p99/p99.9, change %, its interval, effect size and a verdict built on the spread that
// applies (stats/compare-samples.ts): repeats within one invocation; within-run intervals for single
// runs; the spread between invocations when the files come from separate runs — calibrated
// (noise.json) or estimated from several files per side — or the row says it cannot judge.
// Reads only results.json.
import { compareSides, type Invocation, type SampleComparison } from '../stats/compare-samples.ts';
import { benjaminiHochberg } from '../stats/fdr.ts';
import { calibratedSpreadOf, noiseLookup, type NoiseEntry, type NoiseFile } from '../stats/noise.ts';
import {
  OPERATION_METRICS,
  operationKey,
  operationSamples,
  type Driver,
  type OperationMetric,
  type OperationSamples,
} from '../stats/samples.ts';
import type { CalibratedSpread } from '../stats/spread.ts';
import { withinRunSpread } from '../stats/within-run.ts';
import { InputError } from '../results/input-error.ts';
import type { Results, ScenarioResult } from '../results/schema.ts';

export interface CompareOptions {
  /** `--fail-on-regression 10%`: a slower change beyond this is a regression. */
  thresholdPct?: number;
  noise?: NoiseFile;
  alpha?: number;
  seed?: number;
  /** Benjamini–Hochberg across all rows of the table (fewer false alarms, much less power with few repeats). */
  fdr?: boolean;
}

export interface CompareRow {
  scenario: string;
  /** Profile in the base (and, for cross-run compares, in the candidate). */
  profile: string;
  candidateProfile: string;
  driver: Driver;
  operation: string;
  metric: OperationMetric;
  result: SampleComparison;
  tooNoisy: boolean;
  confirmation?: 'confirmed' | 'not-confirmed';
}

export interface Comparison {
  baseLabel: string;
  candidateLabel: string;
  thresholdPct: number;
  rows: CompareRow[];
}

/** One side of a comparison: a results file, or several files of separate invocations (a1.json,a2.json). */
export interface ResultsSide {
  label: string;
  results: Results | readonly Results[];
}

export function regressions(comparison: Comparison): CompareRow[] {
  return comparison.rows.filter(
    (r) => r.result.regression && !r.tooNoisy && r.confirmation !== 'not-confirmed',
  );
}

/** Rows a gate could judge: decided (faster / slower / no change) and not listed as too noisy. */
export function judgedRows(comparison: Comparison): CompareRow[] {
  return comparison.rows.filter((r) => !r.tooNoisy && r.result.verdict !== 'inconclusive');
}

/** Undecided rows whose change points the wrong way beyond the threshold: regressions the data cannot confirm or rule out. */
export function possibleRegressions(comparison: Comparison): CompareRow[] {
  return comparison.rows.filter((r) => {
    if (r.tooNoisy || r.result.verdict !== 'inconclusive') return false;
    const change = r.metric === 'throughput' ? -r.result.changePct : r.result.changePct;
    return change > comparison.thresholdPct;
  });
}

const filesOf = (side: ResultsSide): readonly Results[] =>
  Array.isArray(side.results) ? (side.results as readonly Results[]) : [side.results as Results];

function scenarioSet(files: readonly Results[]): string[] {
  return [...new Set(files.flatMap((r) => r.scenarios.map((s) => s.scenario)))].sort();
}

/** Samples per key, one entry per file (invocation) of the side. */
function samplesByKey(files: readonly Results[]): Map<string, OperationSamples[]> {
  const out = new Map<string, OperationSamples[]>();
  for (const results of files) {
    for (const [key, samples] of operationSamples(results)) out.set(key, [...(out.get(key) ?? []), samples]);
  }
  return out;
}

export function compareResults(
  base: ResultsSide,
  candidate: ResultsSide,
  options: CompareOptions = {},
): Comparison {
  const a = scenarioSet(filesOf(base));
  const b = scenarioSet(filesOf(candidate));
  const onlyBase = a.filter((s) => !b.includes(s));
  const onlyNew = b.filter((s) => !a.includes(s));
  if (onlyBase.length > 0 || onlyNew.length > 0) {
    throw new InputError(
      candidate.label,
      `different scenario set from ${base.label}: ` +
        [
          onlyBase.length ? `only in ${base.label}: ${onlyBase.join(', ')}` : '',
          onlyNew.length ? `only in ${candidate.label}: ${onlyNew.join(', ')}` : '',
        ]
          .filter(Boolean)
          .join('; '),
    );
  }
  const baseOps = samplesByKey(filesOf(base));
  const newOps = samplesByKey(filesOf(candidate));
  const pairs = [...baseOps.entries()].flatMap(([key, samples]) => {
    const other = newOps.get(key);
    return other ? [{ base: samples, candidate: other }] : [];
  });
  return build(base.label, candidate.label, pairs, options);
}

export function compareProfiles(
  results: Results,
  label: string,
  baseProfile: string,
  candidateProfile: string,
  options: CompareOptions = {},
): Comparison {
  const profiles = new Set(results.scenarios.map((s) => s.profile));
  for (const p of [baseProfile, candidateProfile]) {
    if (!profiles.has(p))
      throw new InputError(label, `no profile "${p}" (profiles: ${[...profiles].join(', ')})`);
  }
  const all = operationSamples(results);
  const pairs = [...all.values()]
    .filter((s) => s.profile === baseProfile)
    .flatMap((s) => {
      const other = all.get(operationKey(s.scenario, candidateProfile, s.operation, s.driver));
      return other ? [{ base: [s], candidate: [other] }] : [];
    });
  return build(`${label} ${baseProfile}`, `${label} ${candidateProfile}`, pairs, options);
}

/** The runs of one metric, one invocation per file, each run with its within-run interval when its series allows. */
function invocationsOf(
  side: readonly OperationSamples[],
  metric: OperationMetric,
  seed: () => number,
): Invocation[] {
  return side.map((s) => ({
    id: s.runId,
    runs: s.values[metric].map((value, i) => {
      const within = withinRunSpread(s.repeats[i]!, metric, seed());
      return 'spread' in within ? { value, within: within.spread } : { value, withinMissing: within.missing };
    }),
  }));
}

function build(
  baseLabel: string,
  candidateLabel: string,
  pairs: { base: OperationSamples[]; candidate: OperationSamples[] }[],
  options: CompareOptions,
): Comparison {
  const lookup = noiseLookup(options.noise);
  // One CalibratedSpread per noise entry, so a side pair reading one entry counts its calibration once.
  const spreads = new Map<NoiseEntry, CalibratedSpread | undefined>();
  const spreadOf = (entry: NoiseEntry | undefined) => {
    if (!entry || !options.noise) return undefined;
    if (!spreads.has(entry)) spreads.set(entry, calibratedSpreadOf(options.noise, entry));
    return spreads.get(entry);
  };
  let bootstrapSeed = options.seed ?? 1;
  const nextSeed = () => bootstrapSeed++;
  const tests = pairs.flatMap(({ base, candidate }) => {
    const first = base[0]!;
    const other = candidate[0]!;
    return OPERATION_METRICS.flatMap((metric) => {
      const baseInv = invocationsOf(base, metric, nextSeed);
      const newInv = invocationsOf(candidate, metric, nextSeed);
      if (baseInv.every((i) => i.runs.length === 0) || newInv.every((i) => i.runs.length === 0)) return [];
      const name = `${first.operation}.${metric}`;
      const baseEntry = lookup(first.scenario, first.profile, name, first.driver);
      const newEntry = lookup(other.scenario, other.profile, name, other.driver);
      return [{ first, other, metric, baseInv, newInv, baseEntry, newEntry }];
    });
  });
  const compareAll = (adjust?: (index: number) => number) =>
    tests.map((t, index) =>
      compareSides(t.baseInv, t.newInv, {
        direction: t.metric === 'throughput' ? 'higher-is-better' : 'lower-is-better',
        seed: (options.seed ?? 1) + index,
        calibrated: { base: spreadOf(t.baseEntry), candidate: spreadOf(t.newEntry) },
        ...(adjust ? { adjustPValue: () => adjust(index) } : {}),
        ...(options.alpha === undefined ? {} : { alpha: options.alpha }),
        ...(options.thresholdPct === undefined ? {} : { thresholdPct: options.thresholdPct }),
      }),
    );
  let results = compareAll();
  if (options.fdr) {
    // Rows that could not be judged enter the adjustment as p = 1 (they are tests the table did not pass).
    const adjusted = benjaminiHochberg(results.map((r) => r.rawPValue ?? 1));
    results = compareAll((index) => adjusted[index] ?? 1);
  }
  const rows: CompareRow[] = tests.map((t, index) => ({
    scenario: t.first.scenario,
    profile: t.first.profile,
    candidateProfile: t.other.profile,
    driver: t.first.driver,
    operation: t.first.operation,
    metric: t.metric,
    result: results[index]!,
    tooNoisy: (t.baseEntry?.tooNoisy ?? false) || (t.newEntry?.tooNoisy ?? false),
  }));
  return { baseLabel, candidateLabel, thresholdPct: options.thresholdPct ?? 0, rows };
}

export type RerunScenario = (request: {
  scenario: string;
  profiles: string[];
  times: number;
}) => Promise<ScenarioResult[]>;

/**
 * `--confirm K`: re-run each regressed scenario × profile K times; the regression stands only if it
 * holds with the re-runs pooled into the candidate (as one more invocation), never on the re-runs alone.
 */
export async function confirmRegressions(
  comparison: Comparison,
  baseResults: Results,
  options: CompareOptions & { confirm: number; rerun: RerunScenario; candidateResults?: Results },
): Promise<Comparison> {
  if (options.confirm <= 0) return comparison;
  const rows: CompareRow[] = [];
  // One re-run per scenario × profile, however many of its rows regressed.
  const reruns = new Map<string, Promise<ScenarioResult[]>>();
  for (const row of comparison.rows) {
    if (!(row.result.regression && !row.tooNoisy)) {
      rows.push(row);
      continue;
    }
    const key = `${row.scenario}\u0000${row.candidateProfile}`;
    if (!reruns.has(key))
      reruns.set(
        key,
        options.rerun({ scenario: row.scenario, profiles: [row.candidateProfile], times: options.confirm }),
      );
    const fresh = await reruns.get(key)!;
    const freshResults: Results = {
      ...baseResults,
      run: { ...baseResults.run, id: `${baseResults.run.id}-confirm-${row.scenario}` },
      scenarios: fresh,
    };
    const candidate = [...(options.candidateResults ? [options.candidateResults] : []), freshResults];
    const again = compareResults(
      { label: 'base', results: { ...baseResults, scenarios: onlyScenario(baseResults, row.scenario) } },
      {
        label: 'confirm',
        results: candidate.map((r) => ({ ...r, scenarios: onlyScenario(r, row.scenario) })),
      },
      { ...options, fdr: false },
    ).rows.find(
      (r) =>
        r.operation === row.operation &&
        r.metric === row.metric &&
        r.driver === row.driver &&
        r.candidateProfile === row.candidateProfile,
    );
    rows.push({ ...row, confirmation: again?.result.regression ? 'confirmed' : 'not-confirmed' });
  }
  return { ...comparison, rows };
}

function onlyScenario(results: Results, scenario: string): ScenarioResult[] {
  return results.scenarios.filter((s) => s.scenario === scenario);
}

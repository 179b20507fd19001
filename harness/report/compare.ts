// Compare two runs (or two profiles of one run) per scenario × profile × operation: throughput and
// p50/p95/p99/p99.9, change %, CI, effect size and a verdict, with the user's threshold and the measured
// noise both required before a change counts. Reads only results.json.
import { compareSamples, type SampleComparison } from '../stats/compare-samples.ts';
import { benjaminiHochberg } from '../stats/fdr.ts';
import { mannWhitneyU } from '../stats/mann-whitney.ts';
import { noiseLookup, type NoiseFile } from '../stats/noise.ts';
import {
  OPERATION_METRICS,
  operationSamples,
  type OperationMetric,
  type OperationSamples,
} from '../stats/samples.ts';
import { InputError } from './input-error.ts';
import type { Results, ScenarioResult } from './results-schema.ts';

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

export function regressions(comparison: Comparison): CompareRow[] {
  return comparison.rows.filter(
    (r) => r.result.regression && !r.tooNoisy && r.confirmation !== 'not-confirmed',
  );
}

function scenarioSet(results: Results): string[] {
  return [...new Set(results.scenarios.map((s) => s.scenario))].sort();
}

export function compareResults(
  base: { label: string; results: Results },
  candidate: { label: string; results: Results },
  options: CompareOptions = {},
): Comparison {
  const a = scenarioSet(base.results);
  const b = scenarioSet(candidate.results);
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
  const baseOps = operationSamples(base.results);
  const newOps = operationSamples(candidate.results);
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
  const all = [...operationSamples(results).values()];
  const pairs = all
    .filter((s) => s.profile === baseProfile)
    .flatMap((s) => {
      const other = all.find(
        (o) => o.profile === candidateProfile && o.scenario === s.scenario && o.operation === s.operation,
      );
      return other ? [{ base: s, candidate: other }] : [];
    });
  return build(`${label} ${baseProfile}`, `${label} ${candidateProfile}`, pairs, options);
}

function build(
  baseLabel: string,
  candidateLabel: string,
  pairs: { base: OperationSamples; candidate: OperationSamples }[],
  options: CompareOptions,
): Comparison {
  const lookup = noiseLookup(options.noise);
  const tests = pairs.flatMap(({ base, candidate }) =>
    OPERATION_METRICS.flatMap((metric) => {
      const baseValues = base.values[metric];
      const newValues = candidate.values[metric];
      return baseValues.length === 0 || newValues.length === 0
        ? []
        : [{ base, candidate, metric, baseValues, newValues }];
    }),
  );
  // Raw rank-test p-values first, so the whole table can be FDR-adjusted together.
  const raw = tests.map((t) =>
    t.baseValues.length > 1 && t.newValues.length > 1 ? mannWhitneyU(t.baseValues, t.newValues).pValue : 1,
  );
  const adjusted = options.fdr ? benjaminiHochberg(raw) : raw;
  const rows: CompareRow[] = [];
  let seed = options.seed ?? 1;
  tests.forEach(({ base, candidate, metric, baseValues, newValues }, index) => {
    const entry = lookup(base.scenario, base.profile, `${base.operation}.${metric}`);
    rows.push({
      scenario: base.scenario,
      profile: base.profile,
      candidateProfile: candidate.profile,
      operation: base.operation,
      metric,
      result: compareSamples(baseValues, newValues, {
        direction: metric === 'throughput' ? 'higher-is-better' : 'lower-is-better',
        seed: seed++,
        adjustPValue: () => adjusted[index] ?? 1,
        ...(options.alpha === undefined ? {} : { alpha: options.alpha }),
        ...(options.thresholdPct === undefined ? {} : { thresholdPct: options.thresholdPct }),
        ...(entry ? { noiseCv: entry.cv } : {}),
      }),
      tooNoisy: entry?.tooNoisy ?? false,
    });
  });
  return { baseLabel, candidateLabel, thresholdPct: options.thresholdPct ?? 0, rows };
}

export type RerunScenario = (request: {
  scenario: string;
  profiles: string[];
  times: number;
}) => Promise<ScenarioResult[]>;

/** `--confirm K`: re-run each regressed scenario × profile K times; the regression stands only if it holds. */
export async function confirmRegressions(
  comparison: Comparison,
  baseResults: Results,
  options: CompareOptions & { confirm: number; rerun: RerunScenario },
): Promise<Comparison> {
  if (options.confirm <= 0) return comparison;
  const baseOps = operationSamples(baseResults);
  const rows: CompareRow[] = [];
  for (const row of comparison.rows) {
    if (!(row.result.regression && !row.tooNoisy)) {
      rows.push(row);
      continue;
    }
    const fresh = await options.rerun({
      scenario: row.scenario,
      profiles: [row.candidateProfile],
      times: options.confirm,
    });
    const freshOps = operationSamples({ ...baseResults, scenarios: fresh });
    const values = [...freshOps.values()].find(
      (o) => o.operation === row.operation && o.profile === row.candidateProfile,
    )?.values[row.metric];
    const baseValues = [...baseOps.values()].find(
      (o) => o.scenario === row.scenario && o.profile === row.profile && o.operation === row.operation,
    )?.values[row.metric];
    const again =
      values && values.length > 0 && baseValues
        ? compareSamples(baseValues, values, {
            direction: row.metric === 'throughput' ? 'higher-is-better' : 'lower-is-better',
            seed: options.seed ?? 1,
            thresholdPct: row.result.bandPct,
          })
        : undefined;
    rows.push({ ...row, confirmation: again && !again.regression ? 'not-confirmed' : 'confirmed' });
  }
  return { ...comparison, rows };
}

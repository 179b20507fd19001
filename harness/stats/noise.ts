// noise.json: each metric's run-to-run spread on this machine, from an A/A run set (the same config run
// N times). compare and relative budgets widen their "no change" band by it; metrics whose spread is
// above `maxCv` are listed as too noisy to gate on. CV via simple-statistics' sample standard deviation.
import { readFile } from 'node:fs/promises';
import { mean, sampleStandardDeviation } from 'simple-statistics';
import { z } from 'zod';
import type { Results } from '../report/results-schema.ts';
import { InputError } from '../report/input-error.ts';
import { operationSamples, scalarSamples, OPERATION_METRICS } from './samples.ts';

export const NOISE_SCHEMA_VERSION = 1;

export const noiseEntrySchema = z.object({
  scenario: z.string(),
  profile: z.string(),
  /** `<operation>.<throughput|p50|p95|p99|p999>` or a scalar metric/counter name. */
  /** Samples pooled (repeats × files). */
  metric: z.string(),
  runs: z.number().int().min(2),
  mean: z.number(),
  cv: z.number().min(0),
  tooNoisy: z.boolean(),
});
export type NoiseEntry = z.infer<typeof noiseEntrySchema>;

export const noiseSchema = z.object({
  kind: z.literal('dalbench-noise'),
  schemaVersion: z.literal(NOISE_SCHEMA_VERSION),
  createdAt: z.string(),
  runs: z.array(z.string()),
  maxCv: z.number().positive(),
  entries: z.array(noiseEntrySchema),
});
export type NoiseFile = z.infer<typeof noiseSchema>;

export interface CalibrateOptions {
  /** Above this CV a metric is listed as too noisy to gate on (default 0.15). */
  maxCv?: number;
  now?: Date;
}

/**
 * Every repeat of every run file pooled: the CV then holds both within-run and run-to-run spread, per
 * single sample — the unit compare's noise band (`noiseBandPct`) scales by the repeats it compares.
 */
export function calibrateNoise(
  runs: readonly { path: string; results: Results }[],
  options: CalibrateOptions = {},
): NoiseFile {
  if (runs.length < 2)
    throw new RangeError(
      `calibrate: need at least 2 result files of the same configuration, got ${runs.length}`,
    );
  const maxCv = options.maxCv ?? 0.15;
  const perKey = new Map<string, { scenario: string; profile: string; metric: string; values: number[] }>();
  const add = (scenario: string, profile: string, metric: string, values: number[]) => {
    if (values.length === 0) return;
    const key = `${scenario}\u0000${profile}\u0000${metric}`;
    const entry = perKey.get(key) ?? { scenario, profile, metric, values: [] };
    entry.values.push(...values);
    perKey.set(key, entry);
  };
  for (const { results } of runs) {
    for (const op of operationSamples(results).values()) {
      for (const metric of OPERATION_METRICS)
        add(op.scenario, op.profile, `${op.operation}.${metric}`, op.values[metric]);
    }
    for (const scalar of scalarSamples(results).values())
      add(scalar.scenario, scalar.profile, scalar.name, scalar.values);
  }
  const entries: NoiseEntry[] = [];
  for (const e of perKey.values()) {
    if (e.values.length < 2) continue;
    const m = mean(e.values);
    const sd = sampleStandardDeviation(e.values);
    const cv = m === 0 ? (sd === 0 ? 0 : Number.POSITIVE_INFINITY) : Math.abs(sd / m);
    entries.push({
      scenario: e.scenario,
      profile: e.profile,
      metric: e.metric,
      runs: e.values.length,
      mean: m,
      cv: Number.isFinite(cv) ? cv : 1e9,
      tooNoisy: !(cv <= maxCv),
    });
  }
  entries.sort((a, b) =>
    `${a.scenario}/${a.profile}/${a.metric}`.localeCompare(`${b.scenario}/${b.profile}/${b.metric}`),
  );
  return {
    kind: 'dalbench-noise',
    schemaVersion: NOISE_SCHEMA_VERSION,
    createdAt: (options.now ?? new Date()).toISOString(),
    runs: runs.map((r) => r.results.run.id),
    maxCv,
    entries,
  };
}

export function noiseLookup(
  noise: NoiseFile | undefined,
): (scenario: string, profile: string, metric: string) => NoiseEntry | undefined {
  const map = new Map(
    (noise?.entries ?? []).map((e) => [`${e.scenario}\u0000${e.profile}\u0000${e.metric}`, e]),
  );
  return (scenario, profile, metric) => map.get(`${scenario}\u0000${profile}\u0000${metric}`);
}

export async function loadNoise(path: string): Promise<NoiseFile> {
  let raw: unknown;
  try {
    raw = JSON.parse(await readFile(path, 'utf8'));
  } catch (error) {
    throw new InputError(path, `cannot read noise file: ${(error as Error).message}`, { cause: error });
  }
  const parsed = noiseSchema.safeParse(raw);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new InputError(
      path,
      `not a dalbench noise file: ${issue?.path.join('.') || '(root)'}: ${issue?.message}`,
      {
        cause: parsed.error,
      },
    );
  }
  return parsed.data;
}

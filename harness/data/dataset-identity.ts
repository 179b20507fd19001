// What a loaded dataset is, for `--reuse-data`: everything the data a scenario loads depends on
// that the harness knows — the scenario (name, description, data spec, the source of its load
// function), the scale, the run seed, the profile, the generators' and dalbench's versions — as canonical JSON and
// its SHA-256. The system under test adds the storage backends and the applied migrations
// (reference-dal/profiles/profile-dataset.ts). Any difference is a different dataset.
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { canonicalJson, GENERATOR_VERSION } from '../../reference-dal/ports/dataset.ts';
import type { DatasetRequest } from '../../reference-dal/profiles/profile-dataset.ts';
import type { Scenario } from '../workload/scenario.ts';

/** Bumped when the way the harness loads data changes in a way the parts below do not show. */
export const DATASET_FORMAT = 1;

export interface DatasetParts {
  readonly scenario: Pick<Scenario<unknown>, 'name' | 'description' | 'data' | 'load'>;
  readonly scale: { readonly name: string; readonly factor: number } | undefined;
  readonly seed: number;
  readonly profile: string;
  readonly version: string;
}

/**
 * This package's version, from the nearest package.json named dalbench above this file (sources in a
 * clone, or dist/ in the installed package); "unknown" if none is found.
 */
export function dalbenchVersion(from: URL = new URL('.', import.meta.url)): string {
  for (let dir = from, depth = 0; depth < 6; dir = new URL('..', dir), depth++) {
    try {
      const manifest = JSON.parse(readFileSync(new URL('package.json', dir), 'utf8')) as {
        name?: unknown;
        version?: unknown;
      };
      if (manifest.name === 'dalbench' && typeof manifest.version === 'string') return manifest.version;
    } catch {
      // No (readable) package.json here: look one level up.
    }
  }
  return 'unknown';
}

const sha256 = (text: string) => createHash('sha256').update(text).digest('hex');

export function datasetRequest(parts: DatasetParts): DatasetRequest {
  const { scenario } = parts;
  const identity = canonicalJson(
    {
      format: DATASET_FORMAT,
      generator: GENERATOR_VERSION,
      scenario: scenario.name,
      description: scenario.description,
      data: scenario.data,
      load: scenario.load ? sha256(scenario.load.toString()) : null,
      scale: parts.scale ?? null,
      seed: parts.seed,
      profile: parts.profile,
      version: parts.version,
    },
    'dataset',
  );
  return { id: sha256(identity), identity };
}

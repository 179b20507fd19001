// The migration job on real stores: a tiny seeded dataset migrates single-postgres → polyglot with no
// mismatch, one batch histogram and per-type counts; everything it made (databases, indices) is gone
// afterwards; in a run it reports only for the profiles it names.
import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { describe, expect, it } from 'vitest';
import { builtInProfiles } from '../../../reference-dal/profiles/builtin-profiles.ts';
import { databaseName } from '../../../reference-dal/profiles/profile-databases.ts';
import { envSeed } from '../../conformance/support/seed.ts';
import type { ProvisionedStores, StoreKind } from '../../provision/provisioner.ts';
import { storeEndpoint, requireStore } from '../../../test/support/stores.ts';
import { decodeHistogram } from '../../metrics/histogram.ts';
import { runBenchmark } from '../run-benchmark.ts';
import { jobScenario, type JobContext } from './job.ts';
import { runMigrationJob } from './migration-job.ts';

const POINTS = 60;
const seed = envSeed() ?? Math.floor(Math.random() * 2 ** 31);

function endpoints() {
  return {
    postgres: requireStore('postgres').url,
    elasticsearch: requireStore('elasticsearch').url,
    s3: requireStore('s3').url,
  };
}

async function databaseExists(name: string): Promise<boolean> {
  const client = new pg.Client({ connectionString: requireStore('postgres').url });
  await client.connect();
  try {
    return (await client.query('SELECT 1 FROM pg_database WHERE datname = $1', [name])).rowCount === 1;
  } finally {
    await client.end();
  }
}

describe('runMigrationJob', () => {
  it('migrates a seeded dataset without mismatch, records batches, and removes what it made', async () => {
    console.log(`migration-job: seed ${seed} (replay with DALBENCH_SEED=${seed})`);
    const label = `t${randomBytes(4).toString('hex')}`;
    const lines: string[] = [];
    const result = await runMigrationJob({
      endpoints: endpoints(),
      seed,
      quick: true,
      points: POINTS,
      label,
      profile: 'polyglot',
      repeat: 0,
      log: (line) => lines.push(line),
    });
    expect(result.status, result.reason).toBe('completed');
    expect(result.scenario).toBe('migration');
    expect(result.metrics.migrationMismatches).toBe(0);
    expect(result.warnings.filter((w) => /mismatch/.test(w))).toEqual([]);
    // datasetSizeFor(60): 15 entities, 60 points, 12 documents, 6 objects.
    expect(result.metrics.migratedRecords).toBe(15 + 60 + 12 + 6);
    expect(result.metrics.recordsPerSecond).toBeGreaterThan(0);
    for (const type of ['metadata', 'metrics', 'documents', 'objects']) {
      expect(result.counters[`${type}TargetRecords`], type).toBe(result.counters[`${type}SourceRecords`]);
    }
    expect(result.counters.metricsSourceRecords).toBe(POINTS);
    const batch = result.operations.find((o) => o.name === 'batch')!;
    expect(batch.count).toBe(4); // one batch of ≤ 500 per data type
    expect(decodeHistogram(batch.latency.encoded).totalCount).toBe(4);
    expect(batch.latency.p50Us).toBeGreaterThan(0);
    expect(lines.join('\n')).toContain(`seed ${seed}`);

    expect(await databaseExists(databaseName('postgres', `migsrc_${label}`))).toBe(false);
    expect(await databaseExists(databaseName('postgres', `migdst_${label}`))).toBe(false);
    const indices = await fetch(
      `${requireStore('elasticsearch').url.replace(/\/$/, '')}/_cat/indices/dalbench-mig-${label}-*?format=json`,
    );
    expect(await indices.json()).toEqual([]);
  });

  it('in a run, reports for the profiles it names only, and is skipped when a store is missing', async () => {
    const entry = {
      scenario: jobScenario({
        name: 'migration',
        description: 'tiny migration',
        stores: ['postgres', 'elasticsearch', 's3'],
        operation: 'batch',
      }),
      job: {
        profiles: ['polyglot'],
        stores: ['postgres', 'elasticsearch', 's3'] as StoreKind[],
        run: (context: JobContext) => runMigrationJob({ ...context, quick: true, points: 20 }),
      },
    };
    const profiles = builtInProfiles();
    const lent = (unavailable: Partial<Record<StoreKind, string>>): ProvisionedStores => {
      const kinds: StoreKind[] = ['postgres', 'redis', 'elasticsearch', 's3'];
      const up = kinds.filter((k) => !unavailable[k]);
      return {
        endpoints: Object.fromEntries(up.flatMap((k) => (storeEndpoint(k) ? [[k, storeEndpoint(k)!]] : []))),
        unavailable,
        stop: async () => {},
        [Symbol.asyncDispose]: async () => {},
      };
    };
    const plan = {
      scenarios: [entry],
      profiles: [profiles.get('single-postgres')!, profiles.get('polyglot')!],
      stores: 'external' as const,
      load: { type: 'closed' as const, concurrency: 1 },
      seed,
      durationMs: 100,
      warmupMs: 0,
      quick: true,
      repeat: 1,
      shard: undefined,
      driver: 'dal' as const,
      config: {},
    };
    const ran = await runBenchmark(plan, { provision: () => Promise.resolve(lent({})) });
    expect(ran.scenarios.map((s) => `${s.scenario}/${s.profile}/${s.status}`)).toEqual([
      'migration/polyglot/completed',
    ]);
    expect(ran.scenarios[0]!.metrics.migrationMismatches).toBe(0);

    const skipped = await runBenchmark(plan, {
      provision: () => Promise.resolve(lent({ s3: 'not here' })),
    });
    expect(skipped.scenarios).toHaveLength(1);
    expect(skipped.scenarios[0]!.status).toBe('skipped');
    expect(skipped.scenarios[0]!.reason).toMatch(/s3 \(unavailable: not here\)/);
  });
});

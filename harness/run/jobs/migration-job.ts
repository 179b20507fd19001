// ADR-024 "must migrate existing data without loss or corruption", as a measured job: a seeded dataset
// of every type is generated in a fresh single-postgres source, migrated in batches into a fresh
// polyglot target (PostgreSQL, TimescaleDB when up, Elasticsearch, S3), and verified by counts and
// content digests per data type. Everything it created is removed afterwards, also on failure.
import { datasetSizeFor, generateSinglePostgresDataset } from '../../../reference-dal/migration/generate.ts';
import { SOURCE_TABLES } from '../../../reference-dal/migration/data-types.ts';
import { MigrationAbortedError } from '../../../reference-dal/migration/errors.ts';
import { MigrationSession } from '../../../reference-dal/migration/migration-session.ts';
import type { MigrationOptions } from '../../../reference-dal/migration/run-migration.ts';
import {
  createProfileDatabase,
  timescaleExtensionAvailable,
} from '../../../reference-dal/profiles/profile-databases.ts';
import { removeExternalData } from '../../../reference-dal/profiles/system-under-test.ts';
import { createHistogram, summarizeHistogram } from '../../metrics/histogram.ts';
import type { ScenarioResult } from '../../results/schema.ts';
import type { JobContext } from './job.ts';

export const MIGRATION_SCENARIO = 'migration';
export const MIGRATION_PROFILE = 'polyglot';
/** Metric points generated (the other types scale with it, see datasetSizeFor). */
export const MIGRATION_POINTS = { quick: 2_000, full: 20_000 } as const;
const BATCH_SIZE = 500;

export interface MigrationJobOptions extends JobContext {
  readonly quick: boolean;
  /** Overrides MIGRATION_POINTS (tests use tiny datasets). */
  readonly points?: number;
  /**
   * The migration under test, per data type (default: the reference DAL's). Defect tests pass one that
   * damages a field; verification always reads with the reference specs, so the damage is measured.
   */
  readonly specs?: MigrationOptions['specs'];
}

export class MigrationJobError extends Error {
  override name = 'MigrationJobError';
}

export async function runMigrationJob(options: MigrationJobOptions): Promise<ScenarioResult> {
  const { endpoints, log } = options;
  const postgres = endpoints.postgres;
  const elasticsearch = endpoints.elasticsearch;
  const s3 = endpoints.s3;
  if (!postgres || !elasticsearch || !s3) {
    throw new MigrationJobError('the migration job needs postgres, elasticsearch and s3 endpoints');
  }
  const size = datasetSizeFor(options.points ?? MIGRATION_POINTS[options.quick ? 'quick' : 'full'], 'points');
  const label = options.label.toLowerCase().replace(/[^a-z0-9]+/g, '');
  const began = performance.now();

  // A server given as TimescaleDB without the extension (often the PostgreSQL server itself) cannot
  // hold a hypertable: metrics then go to partitioned PostgreSQL, and the result says why.
  const timescaleServer = endpoints.timescaledb;
  const timescaleMissing =
    timescaleServer === undefined
      ? 'TimescaleDB unavailable'
      : (await timescaleExtensionAvailable(timescaleServer))
        ? undefined
        : 'the TimescaleDB endpoint has no timescaledb extension';
  await using source = await createProfileDatabase('postgres', postgres, `migsrc_${label}`);
  await using target = await createProfileDatabase('postgres', postgres, `migdst_${label}`);
  await using timescale =
    timescaleServer && !timescaleMissing
      ? await createProfileDatabase('timescaledb', timescaleServer, `migdst_${label}`)
      : undefined;
  const slug = label.slice(0, 30);
  await using session = await MigrationSession.open(source.url, {
    postgresUrl: target.url,
    elasticsearchUrl: elasticsearch,
    s3Url: s3,
    ...(timescale ? { timescaleUrl: timescale.url } : {}),
    indexPrefix: `dalbench-mig-${slug}-`,
    bucket: `dalbench-mig-${slug}`,
  });
  // Disposed before the session closes (declared after it): indices and the bucket need its live DAL;
  // the collections are read from the source, which is still open then.
  await using _external = {
    async [Symbol.asyncDispose]() {
      const rows = await session.sourcePool.query<{ collection: string }>(
        `SELECT DISTINCT collection FROM ${SOURCE_TABLES.documents}`,
      );
      await removeExternalData(
        session.target,
        rows.rows.map((r) => r.collection),
      );
    },
  };

  log(`migration: generating ${JSON.stringify(size)} with seed ${options.seed}`);
  const generated = performance.now();
  await generateSinglePostgresDataset(session.source, options.seed, size);
  const generateMs = performance.now() - generated;

  const batches = createHistogram();
  const migrateStart = performance.now();
  let last = migrateStart;
  let types;
  try {
    types = await session.migrate({
      batchSize: BATCH_SIZE,
      ...(options.signal ? { signal: options.signal } : {}),
      ...(options.specs ? { specs: options.specs } : {}),
      // A batch's time runs from the previous batch's end: its source read, its write and its
      // checkpoint (the first batch of a type also carries that type's count query).
      onProgress: () => {
        const now = performance.now();
        batches.recordValue(Math.max(1, Math.round((now - last) * 1000)));
        last = now;
      },
    });
  } catch (error) {
    if (error instanceof MigrationAbortedError) {
      return result(options, 'incomplete', performance.now() - began, {
        reason: `interrupted: ${error.message}`,
      });
    }
    throw error;
  }
  const migrateMs = performance.now() - migrateStart;
  const verifyStart = performance.now();
  const verified = await session.verify({ batchSize: BATCH_SIZE });
  const verifyMs = performance.now() - verifyStart;

  const migrated = types.reduce((sum, t) => sum + t.migrated, 0);
  const counters: Record<string, number> = {
    generateMs: Math.round(generateMs),
    migrateMs: Math.round(migrateMs),
    verifyMs: Math.round(verifyMs),
  };
  for (const row of verified) {
    counters[`${row.dataType}SourceRecords`] = row.sourceCount;
    counters[`${row.dataType}TargetRecords`] = row.targetCount;
  }
  const mismatched = verified.filter((r) => !r.equal);
  const seconds = migrateMs / 1000;
  const summary = summarizeHistogram(batches);
  return result(options, 'completed', performance.now() - began, {
    operations: [
      {
        name: 'batch',
        count: summary.count,
        // Operations (batches) per second, as for every operation; records/s is a metric.
        throughput: seconds > 0 ? summary.count / seconds : 0,
        errors: {},
        latency: summary,
        series: [],
      },
    ],
    counters,
    metrics: {
      migrationMismatches: mismatched.length,
      migratedRecords: migrated,
      recordsPerSecond: seconds > 0 ? migrated / seconds : 0,
    },
    warnings: [
      ...(timescaleMissing ? [`${timescaleMissing}: metrics migrated to partitioned PostgreSQL`] : []),
      ...mismatched.map(
        (r) =>
          `migration mismatch in ${r.dataType} (source ${r.sourceCount}, target ${r.targetCount}): ${r.firstDifference ?? 'digests differ'}`,
      ),
    ],
  });
}

function result(
  options: MigrationJobOptions,
  status: 'completed' | 'incomplete',
  durationMs: number,
  parts: Partial<Pick<ScenarioResult, 'operations' | 'counters' | 'metrics' | 'warnings' | 'reason'>>,
): ScenarioResult {
  return {
    scenario: MIGRATION_SCENARIO,
    profile: options.profile,
    repeat: options.repeat,
    driver: 'dal',
    status,
    durationMs,
    operations: [],
    counters: {},
    metrics: {},
    distributions: {},
    warnings: [],
    ...parts,
  };
}

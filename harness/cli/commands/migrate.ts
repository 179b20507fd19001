// `dalbench migrate --from single-postgres --to polyglot`: ADR-024 phase 3. Provisions the stores, optionally
// generates a seeded dataset in the single-postgres layout, migrates it in resumable batches with progress
// lines, and prints the verification table. Exit 0 when every type is equal, 1 on a mismatch (naming the
// first differing record), 2 on an input or harness error.
import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { z } from 'zod';
import { ValidationError } from '../../../reference-dal/errors.ts';
import { datasetSizeFor, generateSinglePostgresDataset } from '../../../reference-dal/migration/generate.ts';
import { MigrationSession } from '../../../reference-dal/migration/migration-session.ts';
import { resolveBatchSize } from '../../../reference-dal/migration/run-migration.ts';
import { formatVerificationTable } from '../../../reference-dal/migration/verify.ts';
import { parseProvisionMode, provisionStores } from '../../provision/create-provisioner.ts';
import type { StoreKind } from '../../provision/provisioner.ts';
import { printError } from '../print-error.ts';
import type { CliIo, RegisterCommand } from '../io.ts';
import { EXIT } from '../../results/exit-codes.ts';
import { pgConnection } from '../../../reference-dal/sql/connection.ts';

const SOURCE_DATABASE = 'dalbench_migration_source';
const TARGET_DATABASE = 'dalbench_migration_target';

const optionsSchema = z.object({
  from: z.literal('single-postgres', { message: 'only "single-postgres" can be migrated from' }),
  to: z.literal('polyglot', { message: 'only "polyglot" can be migrated to' }),
  stores: z.string().optional(),
  generate: z.coerce.number().int().positive().optional(),
  seed: z.coerce.number().int().nonnegative().optional(),
  batchSize: z.coerce.number().int().optional(),
  resume: z.boolean().optional(),
  verifyOnly: z.boolean().optional(),
});
type MigrateOptions = z.infer<typeof optionsSchema>;

export const registerMigrateCommand: RegisterCommand = (program, io, setExit) => {
  program
    .command('migrate')
    .description('move existing data from one storage layout to another, resumably, and verify it')
    .requiredOption('--from <layout>', 'source layout: single-postgres')
    .requiredOption('--to <layout>', 'target layout: polyglot')
    .option('--stores <mode>', 'auto | local | external (default: $DALBENCH_STORES or auto)')
    .option('--generate <n>', 'first write a seeded dataset of every type (n metric points) into the source')
    .option('--seed <n>', 'seed of --generate (default: random, printed)')
    .option('--batch-size <n>', 'source records per batch (1-10000)', '500')
    .option('--resume', 'continue from the checkpoints of an interrupted run')
    .option('--verify-only', 'only compare source and target')
    .action((raw: Record<string, unknown>) =>
      migrate(raw, io).then(setExit, (error: unknown) => setExit(printError(io, 'dalbench migrate', error))),
    );
};

function parseOptions(raw: Record<string, unknown>): MigrateOptions {
  const parsed = optionsSchema.safeParse(raw);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    const flag = `--${String(issue?.path[0] ?? '').replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`)}`;
    // The message names the flag and what was expected; zod's issue list would only repeat it.
    throw new ValidationError(flag, issue?.message ?? 'invalid');
  }
  resolveBatchSize(parsed.data.batchSize, '--batch-size');
  if (parsed.data.generate !== undefined) datasetSizeFor(parsed.data.generate, '--generate');
  if (parsed.data.stores === 'docker') {
    throw new ValidationError(
      '--stores',
      'docker mode is not supported by migrate yet (use auto, local or external)',
    );
  }
  return parsed.data;
}

async function migrate(raw: Record<string, unknown>, io: CliIo): Promise<number> {
  const options = parseOptions(raw);
  const began = performance.now();
  const log = (line: string) => io.err(`${line}\n`);
  const mode = parseProvisionMode(
    options.stores ?? io.env['DALBENCH_STORES'],
    options.stores ? '--stores' : 'DALBENCH_STORES',
  );
  const kinds: StoreKind[] = ['postgres', 'elasticsearch', 's3', 'timescaledb'];
  await using stores = await provisionStores(mode, kinds, log, { env: io.env });
  const missing = (['postgres', 'elasticsearch', 's3'] as const).filter((kind) => !stores.endpoints[kind]);
  if (missing.length > 0) {
    io.err(
      `dalbench migrate: the polyglot target needs ${missing.map((k) => `${k} (${stores.unavailable[k] ?? 'unavailable'})`).join(', ')}\n`,
    );
    return EXIT.error;
  }
  const server = stores.endpoints.postgres!.url;
  const sourceUrl = await ensureDatabase(server, SOURCE_DATABASE);
  const targetUrl = await ensureDatabase(server, TARGET_DATABASE);
  const timescale = stores.endpoints.timescaledb
    ? await ensureDatabase(stores.endpoints.timescaledb.url, TARGET_DATABASE)
    : undefined;
  if (!timescale)
    log('migrate: TimescaleDB unavailable; metrics go to partitioned PostgreSQL in the target database');

  await using session = await MigrationSession.open(sourceUrl, {
    postgresUrl: targetUrl,
    elasticsearchUrl: stores.endpoints.elasticsearch!.url,
    s3Url: stores.endpoints.s3!.url,
    ...(timescale ? { timescaleUrl: timescale } : {}),
    indexPrefix: 'dalbench-migration-',
    bucket: 'dalbench-migration',
  });

  if (options.generate !== undefined) {
    const existing = await session.source.metadata.detectors.count();
    if (existing > 0) {
      io.err(
        `dalbench migrate: --generate needs an empty source, but ${SOURCE_DATABASE} already holds data\n`,
      );
      return EXIT.error;
    }
    const seed = options.seed ?? randomBytes(4).readUInt32BE(0);
    log(`migrate: generating a dataset with seed ${seed} (replay with --seed ${seed})`);
    const size = await generateSinglePostgresDataset(
      session.source,
      seed,
      datasetSizeFor(options.generate),
      log,
    );
    log(`migrate: generated ${JSON.stringify(size)}`);
  }

  const batchSize = resolveBatchSize(options.batchSize, '--batch-size');
  if (!options.verifyOnly) {
    const migrated = performance.now();
    const results = await session.migrate({
      batchSize,
      resume: options.resume ?? false,
      onProgress: (p) => {
        if (p.batch === 1 || p.migrated === p.total || p.batch % 10 === 0)
          log(`migrate: ${p.dataType} ${p.migrated}/${p.total} (batch ${p.batch})`);
      },
    });
    for (const r of results) {
      log(
        `migrate: ${r.dataType}: ${r.migrated} records in ${r.batches} batches, ${Math.round(r.elapsedMs)} ms${r.resumedFrom > 0 ? ` (resumed at ${r.resumedFrom})` : ''}`,
      );
    }
    log(`migrate: migrated in ${Math.round(performance.now() - migrated)} ms`);
  }
  const verified = await session.verify({ batchSize });
  io.out(formatVerificationTable(verified));
  io.out(`wall time ${((performance.now() - began) / 1000).toFixed(1)} s\n`);
  return verified.every((r) => r.equal) ? EXIT.ok : EXIT.breach;
}

/** URL of `name` on the server, created when missing (kept: a resumed run needs it again). */
async function ensureDatabase(serverUrl: string, name: string): Promise<string> {
  const client = new pg.Client({ ...pgConnection(serverUrl), connectionTimeoutMillis: 10_000 });
  await client.connect();
  try {
    const exists = await client.query('SELECT 1 FROM pg_database WHERE datname = $1', [name]);
    if (exists.rowCount === 0) await client.query(`CREATE DATABASE ${name}`);
  } finally {
    await client.end();
  }
  const url = new URL(serverUrl);
  url.pathname = `/${name}`;
  return url.toString();
}

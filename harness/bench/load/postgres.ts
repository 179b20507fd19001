// COPY loader vs `psql \copy` of the same rows (a CSV written from the same generator), into the
// same partitioned table of a scratch database, and the DAL repository's own bulk path (what
// `dalbench run` loads with) against its saveMetrics batches; order rotated, median of repeats.
import { execFile } from 'node:child_process';
import { createWriteStream } from 'node:fs';
import { access, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { once } from 'node:events';
import { promisify } from 'node:util';
import pg from 'pg';
import { createScratchDatabase } from '../../provision/scratch-database.ts';
import { PostgresTimeSeriesRepository } from '../../../reference-dal/backends/postgres/time-series-repository.ts';
import {
  POSTGRES_METRICS_TARGET,
  ensureMetricPartitions,
  loadMetricDataset,
} from '../../../reference-dal/backends/postgres/time-series-copy.ts';
import { metricDataset } from '../../data/sources.ts';
import type { ScaleSpec } from '../../data/scale.ts';
import { median } from './median.ts';
import { pgConnection } from '../../../reference-dal/sql/connection.ts';
import { loadMetricPoints } from '../../../reference-dal/ports/time-series.ts';

const run = promisify(execFile);

export async function findPsql(): Promise<string> {
  for (const candidate of ['/usr/bin/psql', '/usr/lib/postgresql/15/bin/psql', '/usr/local/bin/psql']) {
    try {
      await access(candidate);
      return candidate;
    } catch {
      // next
    }
  }
  throw new Error('psql not found (looked in /usr/bin, /usr/lib/postgresql/15/bin, /usr/local/bin)');
}

export interface PostgresLoadRow {
  readonly points: number;
  readonly loaderPerSecond: number;
  readonly loaderKeepKeyPerSecond: number;
  readonly psqlPerSecond: number;
  /** The DAL repository's loadMetrics (COPY in chunks, key kept): what `dalbench run` loads with. */
  readonly repositoryCopyPerSecond: number;
  /** The same through saveMetrics batches of 5,000 (what `dalbench run` loaded with before). */
  readonly repositorySavePerSecond: number;
}

function csvField(value: string): string {
  return `"${value.replace(/"/g, '""')}"`;
}

export async function benchPostgresLoad(
  serverUrl: string,
  scale: ScaleSpec,
  seed: number,
  repeats: number,
): Promise<PostgresLoadRow> {
  await using scratch = await createScratchDatabase(serverUrl, 'loadbench');
  const psql = await findPsql();
  const dir = await mkdtemp(join(tmpdir(), 'dalbench-load-'));
  const pool = new pg.Pool({ ...pgConnection(scratch.url), max: 2 });
  try {
    await PostgresTimeSeriesRepository.migrate(pool);
    const data = metricDataset(scale, seed, POSTGRES_METRICS_TARGET.schemaVersion);
    await ensureMetricPartitions(pool, POSTGRES_METRICS_TARGET, data.source.startMs, data.source.endMs);
    // The same rows as CSV for psql.
    const csv = join(dir, 'points.csv');
    const out = createWriteStream(csv);
    const tags = new Map<object, string>();
    let buffer = '';
    for (const p of data.generator.points()) {
      let t = tags.get(p.tags ?? {});
      if (t === undefined) {
        t = csvField(JSON.stringify(p.tags ?? {}));
        tags.set(p.tags ?? {}, t);
      }
      buffer += `${p.timestamp.toISOString()},${csvField(p.metricName)},${p.value},${t}\n`;
      if (buffer.length > 1 << 20) {
        if (!out.write(buffer)) await once(out, 'drain');
        buffer = '';
      }
    }
    out.end(buffer);
    await once(out, 'finish');

    const loader = async (rebuildPrimaryKey: boolean) => {
      const started = performance.now();
      const result = await loadMetricDataset(pool, POSTGRES_METRICS_TARGET, data.identity, data.source, {
        force: true,
        rebuildPrimaryKey,
      });
      if (result.records !== data.generator.total)
        throw new Error(`loader wrote ${result.records} of ${data.generator.total} points`);
      return data.generator.total / ((performance.now() - started) / 1000);
    };
    const viaPsql = async () => {
      await pool.query(`TRUNCATE ${POSTGRES_METRICS_TARGET.table}`);
      const started = performance.now();
      await run(psql, [
        scratch.url,
        '-v',
        'ON_ERROR_STOP=1',
        '-q',
        '-c',
        `\\copy ${POSTGRES_METRICS_TARGET.table} (ts, metric_name, value, tags) FROM '${csv}' WITH (FORMAT csv)`,
      ]);
      const rate = data.generator.total / ((performance.now() - started) / 1000);
      const count = await pool.query<{ n: string }>(
        `SELECT count(*) AS n FROM ${POSTGRES_METRICS_TARGET.table}`,
      );
      if (Number(count.rows[0]?.n) !== data.generator.total)
        throw new Error(`psql loaded ${count.rows[0]?.n} of ${data.generator.total} points`);
      return rate;
    };
    /** What `dalbench run` loads with: the repository's bulk path, or (before it) saveMetrics batches. */
    const viaRepository = async (copy: boolean) => {
      await pool.query(`TRUNCATE ${POSTGRES_METRICS_TARGET.table}`);
      const repository = new PostgresTimeSeriesRepository(
        pool,
        copy ? { pool, url: scratch.url } : undefined,
      );
      const started = performance.now();
      const { written } = await loadMetricPoints(repository, data.generator.points());
      if (written !== data.generator.total)
        throw new Error(`repository wrote ${written} of ${data.generator.total} points`);
      return data.generator.total / ((performance.now() - started) / 1000);
    };
    const contenders = {
      loader: () => loader(true),
      keep: () => loader(false),
      psql: viaPsql,
      dalCopy: () => viaRepository(true),
      dalSave: () => viaRepository(false),
    };
    const names = Object.keys(contenders) as (keyof typeof contenders)[];
    const rates = Object.fromEntries(names.map((n) => [n, [] as number[]])) as Record<
      keyof typeof contenders,
      number[]
    >;
    for (let r = 0; r < repeats; r++) {
      // Rotated, so that each goes first (into whatever the previous one left the server doing) in turn.
      const order = names.map((_, i) => names[(i + r) % names.length]!);
      for (const which of order) {
        rates[which].push(await contenders[which]());
        console.error(`  postgres ${which}: ${Math.round(rates[which].at(-1) ?? 0)} points/s`);
      }
    }
    return {
      points: data.generator.total,
      loaderPerSecond: median(rates.loader),
      loaderKeepKeyPerSecond: median(rates.keep),
      psqlPerSecond: median(rates.psql),
      repositoryCopyPerSecond: median(rates.dalCopy),
      repositorySavePerSecond: median(rates.dalSave),
    };
  } finally {
    await pool.end();
    await rm(dir, { recursive: true, force: true });
  }
}

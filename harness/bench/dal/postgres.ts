// Micro-benchmark of the reference DAL on PostgreSQL against the raw driver, in one run, on one
// server: (1) a point read through the metadata repository vs raw `pg` with a named prepared
// statement; (2) saveMetrics of 5,000 points (one unnest upsert) vs a per-row INSERT loop like the
// ADR sample's. Works in a scratch database it creates and drops. Ratios are measured, never asserted.
import pg from 'pg';
import { Bench, type Task } from 'tinybench';
import { median, medianUs, round2, type DalVsRawRow } from './bench-row.ts';
import { DataAccessLayer } from '../../../reference-dal/dal/data-access-layer.ts';
import { createTestDatabase } from '../../../test/support/databases.ts';
import type { MetricPoint } from '../../../reference-dal/ports/time-series.ts';

export type PostgresBenchRow = DalVsRawRow;

export interface PostgresBenchOptions {
  /** Time budget per read task per round (default 500 ms). */
  readonly readTimeMs?: number;
  /** Rounds of the read pair, alternating order (default 5). */
  readonly rounds?: number;
  /** Timed saveMetrics batches (default 15) and per-row loops (default 3, each 5,000 statements). */
  readonly batchIterations?: number;
  readonly loopIterations?: number;
  /** Points per batch (default 5,000). */
  readonly batchSize?: number;
}

/** `url` names a PostgreSQL server; a scratch database is created on it and dropped afterwards. */
export async function benchPostgresDal(
  url: string,
  options: PostgresBenchOptions = {},
): Promise<PostgresBenchRow[]> {
  // A database of its own on the given server, so the bench never touches the caller's tables.
  await using scratch = await createTestDatabase(url, 'bench');
  return await runBench(scratch.url, options);
}

async function runBench(url: string, options: PostgresBenchOptions): Promise<PostgresBenchRow[]> {
  const rounds = options.rounds ?? 5;
  const readTimeMs = options.readTimeMs ?? 500;
  const batchSize = options.batchSize ?? 5_000;
  await using dal = await DataAccessLayer.initialize([
    { type: 'transactional', backend: 'postgres', url, poolSize: 1 },
    { type: 'timeseries', backend: 'postgres', url, poolSize: 1 },
  ]);
  // Raw side: the same pool size, the same columns, a named (prepared) statement.
  const raw = new pg.Pool({ connectionString: url, max: 1 });
  try {
    // --- point read
    for (let i = 0; i < 200; i++) {
      await dal.metadata.detectors.create({
        name: `detector-${i}`,
        algorithm: 'isolation-forest',
        parameters: { contamination: 0.05, trees: 100 },
        status: 'active',
      });
    }
    const target = (await dal.metadata.detectors.list({ offset: 100, limit: 1 }))[0];
    if (!target) throw new Error('bench detector missing');
    const readTasks = {
      dal: async () => {
        if (!(await dal.metadata.detectors.get(target.id))) throw new Error('missing');
      },
      raw: async () => {
        const result = await raw.query({
          name: 'bench_raw_get',
          text: 'SELECT id, version, created_at, updated_at, data FROM dal_detectors WHERE id = $1',
          values: [target.id],
        });
        if (result.rows.length !== 1) throw new Error('missing');
      },
    };
    const readMedians = { dal: [] as number[], raw: [] as number[] };
    for (let round = 0; round < rounds; round++) {
      const bench = new Bench({ time: readTimeMs, warmup: true, throws: true });
      const order = round % 2 === 0 ? (['dal', 'raw'] as const) : (['raw', 'dal'] as const);
      for (const name of order) bench.add(name, readTasks[name]);
      await bench.run();
      for (const task of bench.tasks) readMedians[task.name as 'dal' | 'raw'].push(medianUs(task));
    }
    const readDal = median(readMedians.dal);
    const readRaw = median(readMedians.raw);

    // --- batch write: every iteration writes new rows (a fresh metric name), same weekly partition
    const base = Date.UTC(2026, 0, 5);
    let batchNo = 0;
    const batch = (): MetricPoint[] => {
      const metricName = `bench.metric.${batchNo++}`;
      return Array.from({ length: batchSize }, (_, i) => ({
        timestamp: new Date(base + i * 100),
        metricName,
        value: Math.sin(i) * 100,
        tags: { host: `h${i % 8}` },
      }));
    };
    const writeBench = new Bench({
      iterations: options.batchIterations ?? 15,
      time: 0,
      warmup: true,
      throws: true,
    });
    writeBench.add('saveMetrics', async () => {
      await dal.timeSeries.saveMetrics(batch());
    });
    await writeBench.run();
    const loopBench = new Bench({
      iterations: options.loopIterations ?? 3,
      time: 0,
      warmup: false,
      throws: true,
    });
    loopBench.add('per-row INSERT loop', async () => {
      const client = await raw.connect();
      try {
        for (const point of batch()) {
          await client.query({
            name: 'bench_row_insert',
            text: `INSERT INTO dal_metrics (ts, metric_name, value, tags) VALUES ($1, $2, $3, $4)
                   ON CONFLICT (metric_name, ts) DO UPDATE SET value = EXCLUDED.value, tags = EXCLUDED.tags`,
            values: [
              point.timestamp.toISOString(),
              point.metricName,
              point.value,
              JSON.stringify(point.tags),
            ],
          });
        }
      } finally {
        client.release();
      }
    });
    await loopBench.run();
    const writeDal = medianUs(writeBench.tasks[0] as Task);
    const writeLoop = medianUs(loopBench.tasks[0] as Task);
    const pointsPerSecond = batchSize / (writeDal / 1e6);
    const speedup = writeLoop / writeDal;
    const retries = dal.retryCounters();

    return [
      {
        name: 'postgres point read: DAL repository get vs raw pg prepared statement',
        dalMedianUs: round2(readDal),
        rawMedianUs: round2(readRaw),
        ratio: round2(readDal / readRaw),
        target: '≤ 1.15 (dal/raw)',
        met: readDal / readRaw <= 1.15,
        note: `sequential, pool of 1 each, same row and columns, ${rounds} rounds × ${readTimeMs} ms per task alternating order, median of round medians`,
      },
      {
        name: `saveMetrics ${batchSize} points (one unnest upsert) vs per-row INSERT loop`,
        dalMedianUs: round2(writeDal),
        rawMedianUs: round2(writeLoop),
        ratio: round2(speedup),
        target: '≥ 10× (raw/dal) and ≥ 100,000 points/s',
        met: speedup >= 10 && pointsPerSecond >= 100_000,
        note: `DAL ${Math.round(pointsPerSecond).toLocaleString('en-US')} points/s, loop ${Math.round(batchSize / (writeLoop / 1e6)).toLocaleString('en-US')} points/s; new rows each iteration into a weekly partition; medians of ${options.batchIterations ?? 15} batches / ${options.loopIterations ?? 3} loops; retries during run: ${JSON.stringify(retries)}`,
      },
    ];
  } finally {
    await raw.end();
  }
}

// npm run bench:load — the bulk loaders against each store's own tool or raw client, in one run:
// COPY loader vs `psql \copy` of the same rows (target ≥ 80 %), Elasticsearch loader vs a raw
// `_bulk` loop at the same batch size (target ≥ 80 %), S3 objects/s. Medians of alternating
// repeats; ratios are measured, never asserted. Scale: DALBENCH_LOAD_SCALE (default s), repeats:
// DALBENCH_LOAD_REPEATS (default 3), stores: DALBENCH_LOAD_STORES (default postgres,elasticsearch,s3).
// Stores dalbench starts are sized for the scale, as `dalbench run` sizes them. Everything created
// (database, index, bucket, CSV) is removed.
import { cpus } from 'node:os';
import { parseProvisionMode, provisionStores } from '../provision/create-provisioner.ts';
import type { StoreKind } from '../provision/provisioner.ts';
import { parseScale } from '../data/scale.ts';
import { memoryForScales } from '../provision/store-memory.ts';
import { parseLoadStores } from './load/load-stores.ts';
import { benchPostgresLoad } from './load/postgres.ts';
import { benchElasticsearchLoad } from './load/elasticsearch.ts';
import { benchS3Load } from './load/s3.ts';

const kinds: StoreKind[] = parseLoadStores(process.env.DALBENCH_LOAD_STORES);
const mode = parseProvisionMode(process.env.DALBENCH_STORES, 'DALBENCH_STORES', 'auto');
const scale = parseScale(process.env.DALBENCH_LOAD_SCALE ?? 's', 'DALBENCH_LOAD_SCALE');
const repeats = Number(process.env.DALBENCH_LOAD_REPEATS ?? 3);
if (!Number.isInteger(repeats) || repeats < 1)
  throw new Error(
    `DALBENCH_LOAD_REPEATS: expected a positive integer, got "${process.env.DALBENCH_LOAD_REPEATS}"`,
  );
const seed = 20_240_115;
const log = (line: string) => console.error(`[stores] ${line}`);

await using stores = await provisionStores(mode, kinds, log, { memory: memoryForScales([scale]) });
const url = (kind: StoreKind) => stores.endpoints[kind]?.url;
const notAsked = (kind: StoreKind) =>
  kinds.includes(kind)
    ? 'not started'
    : `not in DALBENCH_LOAD_STORES=${process.env.DALBENCH_LOAD_STORES ?? ''}`;
const lines: string[] = [];
const pct = (x: number) => `${Math.round(x * 100)} %`;
const rate = (x: number) => Math.round(x).toLocaleString('en-US');

if (url('postgres')) {
  console.error(`running postgres COPY vs psql \\copy (${scale.name}) …`);
  const pg = await benchPostgresLoad(url('postgres')!, scale, seed, repeats);
  const ratio = pg.loaderPerSecond / pg.psqlPerSecond;
  lines.push(
    `postgres COPY loader vs psql \\copy, ${rate(pg.points)} points into dal_metrics (weekly partitions): ` +
      `${rate(pg.loaderPerSecond)} vs ${rate(pg.psqlPerSecond)} points/s = ${pct(ratio)} (target ≥ 80 %: ${ratio >= 0.8 ? 'met' : 'NOT met'}); ` +
      `with the primary key kept during the load: ${rate(pg.loaderKeepKeyPerSecond)} points/s = ${pct(pg.loaderKeepKeyPerSecond / pg.psqlPerSecond)}`,
  );
  lines.push(
    `postgres DAL load path (dalbench run's): repository loadMetrics (COPY, key kept) ${rate(pg.repositoryCopyPerSecond)} points/s = ` +
      `${pct(pg.repositoryCopyPerSecond / pg.psqlPerSecond)} of psql \\copy, ×${(pg.repositoryCopyPerSecond / pg.repositorySavePerSecond).toFixed(2)} ` +
      `saveMetrics batches of 5,000 (${rate(pg.repositorySavePerSecond)} points/s)`,
  );
} else lines.push(`skipped postgres: ${stores.unavailable.postgres ?? notAsked('postgres')}`);

if (url('elasticsearch')) {
  console.error(`running elasticsearch loader vs raw _bulk (${scale.name}) …`);
  const es = await benchElasticsearchLoad(url('elasticsearch')!, scale, seed, repeats);
  const ratio = es.loaderPerSecond / es.rawPerSecond;
  lines.push(
    `elasticsearch loader vs raw _bulk loop (${es.batchSize} docs/request), ${rate(es.documents)} documents: ` +
      `${rate(es.loaderPerSecond)} vs ${rate(es.rawPerSecond)} docs/s = ${pct(ratio)} (target ≥ 80 %: ${ratio >= 0.8 ? 'met' : 'NOT met'})`,
  );
  lines.push(
    `elasticsearch DAL load path (dalbench run's): loadDocuments ${rate(es.dalLoadPerSecond)} docs/s = ` +
      `${pct(es.dalLoadPerSecond / es.rawPerSecond)} of the raw _bulk loop, ×${(es.dalLoadPerSecond / es.dalBulkIndexPerSecond).toFixed(2)} ` +
      `bulkIndex batches of ${es.batchSize} (${rate(es.dalBulkIndexPerSecond)} docs/s)`,
  );
} else lines.push(`skipped elasticsearch: ${stores.unavailable.elasticsearch ?? notAsked('elasticsearch')}`);

if (url('s3')) {
  console.error(`running s3 bulk put (${scale.name}) …`);
  const s3 = await benchS3Load(url('s3')!, scale, seed, repeats);
  lines.push(
    `s3 bulk put (${s3.concurrency} in flight), ${s3.objects} objects, ${(s3.bytes / 2 ** 20).toFixed(1)} MiB: ` +
      `${s3.objectsPerSecond.toFixed(1)} objects/s, ${s3.mibPerSecond.toFixed(1)} MiB/s`,
  );
} else lines.push(`skipped s3: ${stores.unavailable.s3 ?? notAsked('s3')}`);

const cpu = cpus();
console.log(
  `\nBulk loaders at scale ${scale.name}, medians of ${repeats} alternating repeats, on ${cpu[0]?.model ?? 'unknown cpu'} × ${cpu.length} cores (shared machine: compare ratios)\n`,
);
for (const line of lines) console.log(`  ${line}`);
console.log('\nstores:');
for (const endpoint of Object.values(stores.endpoints))
  console.log(`  ${endpoint.kind}: ${endpoint.serverVersion} (${endpoint.mode})`);

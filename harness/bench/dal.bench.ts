// npm run bench:dal — the reference DAL against the raw drivers, in one run, on stores this run
// starts (DALBENCH_STORES=auto|local|docker|external, default auto). Prints ratios and whether each
// target was met; asserts nothing (timing targets are measurements, not tests).
import { provisionStores } from '../provision/create-provisioner.ts';
import { parseProvisionMode } from '../provision/create-provisioner.ts';
import type { StoreKind } from '../provision/provisioner.ts';
import type { DalVsRawRow } from './dal/bench-row.ts';
import { benchDocuments } from './dal/documents.ts';
import { benchObjects } from './dal/objects.ts';
import { benchPostgresDal } from './dal/postgres.ts';
import { benchRedisCacheGet } from './dal/redis.ts';
import { benchOutboxRelay } from './dal/relay.ts';

const kinds: StoreKind[] = ['postgres', 'redis', 'elasticsearch', 's3'];
const mode = parseProvisionMode(process.env.DALBENCH_STORES, 'DALBENCH_STORES', 'auto');
const log = (line: string) => console.error(`[stores] ${line}`);

await using stores = await provisionStores(mode, kinds, log);
const url = (kind: StoreKind) => stores.endpoints[kind]?.url;
const rows: DalVsRawRow[] = [];
const skipped: string[] = [];

async function section(name: string, need: StoreKind[], run: () => Promise<DalVsRawRow[]>): Promise<void> {
  const missing = need.filter((kind) => !url(kind));
  if (missing.length > 0) {
    skipped.push(
      `${name}: ${missing.map((k) => `${k} unavailable (${stores.unavailable[k] ?? 'not started'})`).join('; ')}`,
    );
    return;
  }
  console.error(`running ${name} …`);
  rows.push(...(await run()));
}

await section('redis', ['redis'], () => benchRedisCacheGet(url('redis')!));
await section('postgres', ['postgres'], () => benchPostgresDal(url('postgres')!));
await section('documents', ['elasticsearch'], () => benchDocuments(url('elasticsearch')!));
await section('objects', ['s3'], () => benchObjects(url('s3')!));

console.log(
  '\nDAL vs raw driver (medians of interleaved rounds; noisy shared machine: compare ratios, not absolutes)\n',
);
console.log(
  ['operation', 'DAL µs', 'raw µs', 'ratio', 'target', 'met'].join(' | ') +
    '\n' +
    rows
      .map((r) =>
        [
          r.name,
          r.dalMedianUs,
          r.rawMedianUs,
          r.ratio,
          r.target,
          r.met === undefined ? '?' : r.met ? 'yes' : 'NO',
        ].join(' | '),
      )
      .join('\n'),
);
for (const r of rows) console.log(`  · ${r.name}: ${r.note}`);

if (url('postgres') && url('elasticsearch')) {
  console.error('running outbox relay …');
  const relay = await benchOutboxRelay(url('postgres')!, url('elasticsearch')!);
  console.log(
    `\noutbox relay → Elasticsearch: ${relay.documentsPerSecond} documents/s draining ${relay.backlog} small events ` +
      `(target ≥ 5000: ${relay.documentsPerSecond >= 5000 ? 'met' : 'NOT met'}); commit → searchable lag over ` +
      `${relay.lagSamples} writes: median ${relay.lagMedianMs} ms, p99 ${relay.lagP99Ms} ms (includes the 1 s refresh interval)`,
  );
} else {
  skipped.push('outbox relay: needs postgres and elasticsearch');
}

console.log('\nstores:');
for (const endpoint of Object.values(stores.endpoints)) {
  console.log(
    `  ${endpoint.kind}: ${endpoint.serverVersion} (${endpoint.mode}) ${endpoint.notes.join('; ')}`,
  );
}
for (const line of skipped) console.log(`skipped: ${line}`);

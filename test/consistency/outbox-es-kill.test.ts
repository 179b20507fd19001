// The outbox relay across an Elasticsearch crash: a seeded stream of experiment writes runs through
// ExperimentWriter while the relay publishes in the background; Elasticsearch (our own local server)
// is SIGKILLed mid-stream and restarted on the same port and data. Writes keep committing (they never
// wait on search); once drained, search holds exactly the PostgreSQL rows, and the relay's counters
// say what happened. One ES start and one restart for the whole file.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ElasticsearchDocumentRepository } from '../../reference-dal/backends/elasticsearch/document-repository.ts';
import { METADATA_TABLES } from '../../reference-dal/backends/postgres/metadata-migrations.ts';
import { parseStorageConfigs } from '../../reference-dal/config/storage-config.ts';
import {
  EXPERIMENTS_COLLECTION,
  ExperimentWriter,
  experimentSearchDocument,
} from '../../reference-dal/consistency/experiment-writer.ts';
import { OutboxRelay } from '../../reference-dal/consistency/relay.ts';
import { canonicalJson, sha256Hex } from '../../reference-dal/migration/digest.ts';
import { DataAccessLayer } from '../../reference-dal/dal/data-access-layer.ts';
import type { JsonDocument } from '../../reference-dal/ports/documents.ts';
import type { Experiment } from '../../reference-dal/ports/transactional.ts';
import { envSeed } from '../../harness/conformance/support/seed.ts';
import { LocalProvisioner, type LocalProvisionedStores } from '../../harness/provision/local-provisioner.ts';
import { Rng } from '../../harness/workload/random.ts';
import { createTestDatabase, type TestDatabase } from '../support/databases.ts';
import { requireStore } from '../support/stores.ts';

const WRITES_PER_PHASE = 40;

const contentHash = (document: JsonDocument) => sha256Hex(canonicalJson(document));

function experiment(rng: Rng, n: number): Experiment {
  const pick = <T>(items: readonly T[]): T => items[rng.int(items.length)]!;
  return {
    name: `experiment ${n}`,
    description: `run ${rng.uint32().toString(36)} of ${pick(['cpu', 'latency', 'fraud', 'iot'])}`,
    detectorId: null,
    status: pick(['running', 'completed', 'failed'] as const),
    tags: [pick(['cpu', 'latency', 'fraud', 'iot'])],
    metrics: { auc: rng.next() },
  };
}

async function waitFor(condition: () => boolean | Promise<boolean>, boundMs: number): Promise<boolean> {
  const deadline = Date.now() + boundMs;
  while (!(await condition())) {
    if (Date.now() >= deadline) return false;
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
  return true;
}

describe('outbox relay when Elasticsearch is killed and restarted', () => {
  let stores: LocalProvisionedStores | undefined;
  let db: TestDatabase | undefined;
  let dal: DataAccessLayer | undefined;
  let documents: ElasticsearchDocumentRepository | undefined;

  beforeAll(async () => {
    // CI never skips silently: a store that does not start fails this file, naming why.
    try {
      stores = await new LocalProvisioner().start({ kinds: ['elasticsearch'] });
    } catch (error) {
      throw new Error(
        `outbox-es-kill needs its own local Elasticsearch (to kill it), which could not start: ${error instanceof Error ? error.message : String(error)}`,
        { cause: error },
      );
    }
    db = await createTestDatabase(requireStore('postgres').url, 'outbox_es_kill');
    dal = await DataAccessLayer.initialize([{ type: 'transactional', backend: 'postgres', url: db.url }]);
    const [config] = parseStorageConfigs([
      {
        type: 'document',
        backend: 'elasticsearch',
        url: stores.endpoints.elasticsearch!.url,
        // Fail fast while the server is down: the relay, not the client, owns retrying.
        timeoutMs: 1_000,
        retryAttempts: 0,
      },
    ]);
    documents = new ElasticsearchDocumentRepository(config!);
  }, 180_000);

  afterAll(async () => {
    await documents?.close();
    await dal?.close();
    await db?.[Symbol.asyncDispose]();
    await stores?.stop();
  }, 60_000);

  it('loses and duplicates nothing, and counts the outage', async () => {
    if (!stores || !dal || !documents) throw new Error('outbox-es-kill: setup did not complete');
    const seed = envSeed() ?? Math.floor(Math.random() * 2 ** 31);
    console.log(`outbox-es-kill: seed ${seed} (replay with DALBENCH_SEED=${seed})`);
    const rng = new Rng(seed);
    const local = dal;
    const search = documents;
    const transaction = <T>(fn: Parameters<DataAccessLayer['session']>[1]) =>
      local.session('transactional', fn) as Promise<T>;
    const writer = new ExperimentWriter(transaction);
    await using relay = new OutboxRelay(transaction, search, {
      batchSize: 25,
      backoffBaseMs: 20,
      backoffMaxMs: 400,
      pollIntervalMs: 10,
    });
    const live: { id: string; version: number }[] = [];
    /** Deleted entity → the phase and version of its delete, for failure messages. */
    const deleted = new Map<string, string>();
    let phase = 'before the kill';
    let written = 0;
    const writeSome = async (count: number) => {
      for (let i = 0; i < count; i++) {
        const roll = rng.next();
        if (live.length === 0 || roll < 0.45) {
          const created = await writer.create(experiment(rng, written));
          live.push({ id: created.id, version: created.version });
        } else if (roll < 0.85) {
          const target = live[rng.int(live.length)]!;
          target.version = (await writer.update(target.id, target.version, experiment(rng, written))).version;
        } else {
          const index = rng.int(live.length);
          const target = live[index]!;
          expect(await writer.delete(target.id, target.version)).toBe(true);
          live.splice(index, 1);
          deleted.set(target.id, `${phase}, at version ${target.version + 1}`);
        }
        written++;
      }
    };

    relay.start();
    await writeSome(WRITES_PER_PHASE);
    await stores.kill('elasticsearch');
    phase = 'during the outage';
    // Every write below commits with search down: none of them waits on Elasticsearch.
    await writeSome(WRITES_PER_PHASE);
    expect(await waitFor(() => relay.stats().storeOutages >= 1, 15_000)).toBe(true);
    await writeSome(WRITES_PER_PHASE);
    expect(await relay.depth()).toBeGreaterThan(0);
    await stores.restart('elasticsearch');
    phase = 'after the restart';
    await writeSome(WRITES_PER_PHASE);
    // Drained by the background relay alone: a second concurrent drainer could reorder one entity's events
    // (see the report: unversioned deletes), which is not what this test is about.
    expect(await waitFor(async () => (await relay.depth()) === 0, 60_000)).toBe(true);
    await relay.stop();
    await search.refresh(EXPERIMENTS_COLLECTION);

    const rows = await local.metadata.experiments.list({ limit: 10_000 });
    expect(rows.map((r) => r.id).sort()).toEqual(live.map((e) => e.id).sort());
    // Every id search holds (raw client: the port has no listing), so an extra names itself.
    const inSearch = await search.client.search<unknown>({
      index: search.indexName(EXPERIMENTS_COLLECTION),
      size: 10_000,
      _source: false,
      version: true,
    });
    const extras = inSearch.hits.hits
      .filter((hit) => !rows.some((row) => row.id === hit._id))
      .map(
        (hit) => `${hit._id} at version ${hit._version} (deleted ${deleted.get(hit._id ?? '') ?? 'never'})`,
      );
    expect(extras, `documents in search with no PostgreSQL row (seed ${seed})`).toEqual([]);
    expect(await search.count(EXPERIMENTS_COLLECTION)).toBe(rows.length);
    for (const row of rows) {
      const stored = await search.get(EXPERIMENTS_COLLECTION, row.id);
      expect(stored, `experiment ${row.id} missing from search (seed ${seed})`).toBeDefined();
      expect(stored!.version).toBe(row.version);
      expect(contentHash(stored!.document), `experiment ${row.id} differs (seed ${seed})`).toBe(
        contentHash(experimentSearchDocument(row)),
      );
    }
    for (const id of deleted.keys()) expect(await search.get(EXPERIMENTS_COLLECTION, id)).toBeUndefined();

    const stats = relay.stats();
    console.log(`outbox-es-kill: ${written} writes, relay stats ${JSON.stringify(stats)}`);
    expect(stats.storeOutages).toBeGreaterThanOrEqual(1);
    expect(stats.retries).toBeGreaterThanOrEqual(1);
    expect(stats.deadLetters).toBe(0);
    expect(await relay.deadLetterCount()).toBe(0);
    await local.session('transactional', async (session) => {
      const n = await session.query<{ n: string }>(
        `SELECT count(*)::text AS n FROM ${METADATA_TABLES.experiment}`,
      );
      expect(Number(n.rows[0]?.n)).toBe(live.length);
    });
    expect(stores.unexpectedExits()).toEqual({});
  }, 240_000);
});

// Outbox relay benchmark: (1) throughput of draining a backlog of small committed events into
// Elasticsearch with _bulk (documents/s); (2) commit → searchable lag of single writes while the
// relay runs in the background (median and p99). The lag includes Elasticsearch's refresh interval
// (1 s by default), which is what a user of search actually waits for.
import { randomBytes } from 'node:crypto';
import { createElasticsearchDocumentRepository } from '../../../reference-dal/backends/elasticsearch/document-repository.ts';
import { parseStorageConfigs } from '../../../reference-dal/config/storage-config.ts';
import {
  EXPERIMENTS_COLLECTION,
  ExperimentWriter,
} from '../../../reference-dal/consistency/experiment-writer.ts';
import { OutboxRelay, type RunInTransaction } from '../../../reference-dal/consistency/relay.ts';
import { DataAccessLayer } from '../../../reference-dal/dal/data-access-layer.ts';
import { createScratchDatabase } from '../../provision/scratch-database.ts';

export interface RelayBenchResult {
  readonly backlog: number;
  readonly documentsPerSecond: number;
  readonly lagSamples: number;
  readonly lagMedianMs: number;
  readonly lagP99Ms: number;
}

export async function benchOutboxRelay(
  postgresUrl: string,
  elasticsearchUrl: string,
  options: { backlog?: number; lagSamples?: number } = {},
): Promise<RelayBenchResult> {
  const backlog = options.backlog ?? 20_000;
  const lagSamples = options.lagSamples ?? 40;
  await using db = await createScratchDatabase(postgresUrl, 'relay_bench');
  await using dal = await DataAccessLayer.initialize([
    { type: 'transactional', backend: 'postgres', url: db.url },
  ]);
  const [config] = parseStorageConfigs([
    {
      type: 'document',
      backend: 'elasticsearch',
      url: elasticsearchUrl,
      options: { indexPrefix: `dalbench-relaybench${randomBytes(3).toString('hex')}-` },
    },
  ]);
  if (!config) throw new Error('no document config');
  const documents = await createElasticsearchDocumentRepository(config);
  const transaction: RunInTransaction = (fn) => dal.session('transactional', fn);
  try {
    // Ensure the index exists before timing, so index creation is not part of the throughput.
    await documents.index(EXPERIMENTS_COLLECTION, 'warmup', { name: 'warmup' });
    await transaction((session) =>
      session.query(
        `INSERT INTO dalbench_outbox (collection, entity_id, entity_version, op, payload)
         SELECT $1, 'exp-' || i, 1, 'upsert',
                jsonb_build_object('name', 'experiment ' || i, 'description', 'small benchmark document ' || i,
                                   'status', 'running', 'tags', jsonb_build_array('bench'))
           FROM generate_series(1, $2::int) AS i`,
        [EXPERIMENTS_COLLECTION, backlog],
      ),
    );
    const relay = new OutboxRelay(transaction, documents, { batchSize: 2_000 });
    const started = performance.now();
    const left = await relay.drain(300_000);
    const seconds = (performance.now() - started) / 1_000;
    if (left !== 0) throw new Error(`relay did not drain the backlog: ${left} events left`);

    const background = new OutboxRelay(transaction, documents, { pollIntervalMs: 5 });
    background.start();
    const writer = new ExperimentWriter(transaction);
    const lags: number[] = [];
    try {
      for (let i = 0; i < lagSamples; i++) {
        const token = `probe${randomBytes(6).toString('hex')}`;
        await writer.create({
          name: token,
          description: 'lag probe',
          detectorId: null,
          status: 'running',
          tags: [],
          metrics: {},
        });
        const committed = performance.now();
        for (;;) {
          const found = await documents.search(EXPERIMENTS_COLLECTION, { text: token, size: 1 });
          if (found.total > 0) break;
          if (performance.now() - committed > 30_000)
            throw new Error(`write ${token} not searchable after 30 s`);
          await new Promise((resolve) => setTimeout(resolve, 5));
        }
        lags.push(performance.now() - committed);
      }
    } finally {
      await background.stop();
    }
    lags.sort((a, b) => a - b);
    const quantile = (q: number) => lags[Math.min(lags.length - 1, Math.ceil(q * lags.length) - 1)] ?? NaN;
    return {
      backlog,
      documentsPerSecond: Math.round(backlog / seconds),
      lagSamples,
      lagMedianMs: Math.round(quantile(0.5)),
      lagP99Ms: Math.round(quantile(0.99)),
    };
  } finally {
    await documents.dropCollection(EXPERIMENTS_COLLECTION).catch(() => undefined);
    await documents.close();
  }
}

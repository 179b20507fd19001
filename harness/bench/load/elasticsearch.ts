// Elasticsearch loader (loadDocumentDataset: settings for loading, concurrent _bulk) vs a raw
// sequential `_bulk` loop with the same batch size, each into a fresh index with the repository's
// mapping, documents from the same generator; alternating, median of repeats. Beside them the DAL's
// two paths as a profile configures it: loadDocuments (what `dalbench run` loads with) and bulkIndex
// batches (what it loaded with before).
import { randomBytes } from 'node:crypto';
import { Client } from '@elastic/elasticsearch';
import { INDEX_BODY, DOC_FIELD } from '../../../reference-dal/backends/elasticsearch/index-mapping.ts';
import { loadDocumentDataset } from '../../../reference-dal/backends/elasticsearch/bulk-load.ts';
import { documentDataset } from '../../data/sources.ts';
import type { ScaleSpec } from '../../data/scale.ts';
import { median } from './median.ts';
import { elasticsearchConnection } from '../../../reference-dal/config/elasticsearch-connection.ts';
import { DataAccessLayer } from '../../../reference-dal/dal/data-access-layer.ts';
import { loadDocuments, type BulkItem } from '../../../reference-dal/ports/documents.ts';

export interface ElasticsearchLoadRow {
  readonly documents: number;
  readonly batchSize: number;
  readonly loaderPerSecond: number;
  readonly rawPerSecond: number;
  /** The DAL's loadDocuments through its circuit breaker, a fresh collection each time. */
  readonly dalLoadPerSecond: number;
  /** The DAL's bulkIndex in batches of `batchSize`, then one refresh. */
  readonly dalBulkIndexPerSecond: number;
}

export async function benchElasticsearchLoad(
  url: string,
  scale: ScaleSpec,
  seed: number,
  repeats: number,
  batchSize = 1_000,
): Promise<ElasticsearchLoadRow> {
  const client = new Client({ ...elasticsearchConnection(url), requestTimeout: 120_000 });
  const index = `dalbench-loadbench-${randomBytes(4).toString('hex')}`;
  const data = documentDataset(scale, seed, 'elasticsearch-index@1');
  const total = data.generator.total;
  // As a profile configures it (default refresh, circuit breaker on), with an index prefix of its own.
  const dalPrefix = `${index}-dal-`;
  try {
    await using dal = await DataAccessLayer.initialize([
      {
        type: 'document',
        backend: 'elasticsearch',
        url,
        timeoutMs: 120_000,
        options: { indexPrefix: dalPrefix },
      },
    ]);
    const loader = async () => {
      const started = performance.now();
      const result = await loadDocumentDataset(client, index, data.identity, data.source, {
        force: true,
        batchSize,
        url,
      });
      if (result.records !== total) throw new Error(`loader indexed ${result.records} of ${total}`);
      return total / ((performance.now() - started) / 1000);
    };
    const raw = async () => {
      const started = performance.now();
      await client.indices.delete({ index }, { ignore: [404] });
      const body = structuredClone(INDEX_BODY) as unknown as {
        settings: Record<string, unknown>;
        mappings: Record<string, unknown>;
      };
      await client.indices.create({ index, settings: body.settings, mappings: body.mappings });
      let operations: unknown[] = [];
      for (const doc of data.generator.documents()) {
        operations.push({ index: { _index: index, _id: doc.id } }, { [DOC_FIELD]: doc.document });
        if (operations.length >= batchSize * 2) {
          const response = await client.bulk({ operations });
          if (response.errors) throw new Error('raw bulk had item errors');
          operations = [];
        }
      }
      if (operations.length > 0) await client.bulk({ operations });
      await client.indices.refresh({ index });
      const rate = total / ((performance.now() - started) / 1000);
      const { count } = await client.count({ index });
      if (count !== total) throw new Error(`raw loop indexed ${count} of ${total}`);
      return rate;
    };
    let round = 0;
    const viaDal = async (load: (dal: DataAccessLayer, collection: string) => Promise<void>) => {
      const collection = `r${round++}`;
      try {
        const started = performance.now();
        await load(dal, collection);
        const rate = total / ((performance.now() - started) / 1000);
        const count = await dal.documents.count(collection);
        if (count !== total) throw new Error(`DAL path indexed ${count} of ${total}`);
        return rate;
      } finally {
        // A failed delete must not hide the load's own error.
        await client.indices
          .delete({ index: `${dalPrefix}${collection}` }, { ignore: [404] })
          .catch(() => undefined);
      }
    };
    const contenders = {
      loader,
      raw,
      'dal loadDocuments': () =>
        viaDal(
          async (d, c) => void (await loadDocuments(d.documents, c, data.generator.documents(), batchSize)),
        ),
      'dal bulkIndex': () =>
        viaDal(async (d, c) => {
          let batch: BulkItem[] = [];
          const flush = async () => {
            const result = await d.documents.bulkIndex(c, batch);
            if (result.errors.length > 0)
              throw new Error(`bulkIndex refused ${result.errors.length} documents`);
            batch = [];
          };
          for (const doc of data.generator.documents()) {
            batch.push(doc);
            if (batch.length >= batchSize) await flush();
          }
          if (batch.length > 0) await flush();
          await d.documents.refresh(c);
        }),
    } as const;
    type Which = keyof typeof contenders;
    const order = Object.keys(contenders) as Which[];
    const rates = Object.fromEntries(order.map((w) => [w, [] as number[]])) as Record<Which, number[]>;
    for (let r = 0; r < repeats; r++) {
      for (const which of r % 2 === 0 ? order : [...order].reverse()) {
        rates[which].push(await contenders[which]());
        console.error(`  elasticsearch ${which}: ${Math.round(rates[which].at(-1) ?? 0)} docs/s`);
      }
    }
    return {
      documents: total,
      batchSize,
      loaderPerSecond: median(rates.loader),
      rawPerSecond: median(rates.raw),
      dalLoadPerSecond: median(rates['dal loadDocuments']),
      dalBulkIndexPerSecond: median(rates['dal bulkIndex']),
    };
  } finally {
    await client.indices.delete({ index }, { ignore: [404] }).catch(() => undefined);
    await client.close();
  }
}

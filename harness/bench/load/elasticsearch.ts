// Elasticsearch loader (loadDocumentDataset: settings for loading, concurrent _bulk) vs a raw
// sequential `_bulk` loop with the same batch size, each into a fresh index with the repository's
// mapping, documents from the same generator; alternating, median of repeats.
import { randomBytes } from 'node:crypto';
import { Client } from '@elastic/elasticsearch';
import { INDEX_BODY, DOC_FIELD } from '../../../reference-dal/backends/elasticsearch/index-mapping.ts';
import { loadDocumentDataset } from '../../../reference-dal/backends/elasticsearch/bulk-load.ts';
import { documentDataset } from '../../data/sources.ts';
import type { ScaleSpec } from '../../data/scale.ts';
import { median } from './median.ts';
import { elasticsearchConnection } from '../../../reference-dal/config/elasticsearch-connection.ts';

export interface ElasticsearchLoadRow {
  readonly documents: number;
  readonly batchSize: number;
  readonly loaderPerSecond: number;
  readonly rawPerSecond: number;
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
  try {
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
    const rates = { loader: [] as number[], raw: [] as number[] };
    for (let r = 0; r < repeats; r++) {
      for (const which of r % 2 === 0 ? (['loader', 'raw'] as const) : (['raw', 'loader'] as const)) {
        rates[which].push(which === 'loader' ? await loader() : await raw());
        console.error(`  elasticsearch ${which}: ${Math.round(rates[which].at(-1) ?? 0)} docs/s`);
      }
    }
    return {
      documents: total,
      batchSize,
      loaderPerSecond: median(rates.loader),
      rawPerSecond: median(rates.raw),
    };
  } finally {
    await client.indices.delete({ index }, { ignore: [404] }).catch(() => undefined);
    await client.close();
  }
}

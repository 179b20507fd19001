// Bulk loading into Elasticsearch, read back through the DAL's repository; settings restored after
// a load that fails midway (the refused document named); dataset reuse by fingerprint only.
import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { parseStorageConfigs } from '../../config/storage-config.ts';
import { requireStore, unavailableReason } from '../../../test/support/stores.ts';
import { envSeed } from '../../../harness/stats/random.ts';
import { NAMED_SCALES, type ScaleSpec } from '../../../harness/data/scale.ts';
import { documentDataset } from '../../../harness/data/sources.ts';
import { ZipfVocabulary } from '../../../harness/data/generators/vocabulary.ts';
import { createElasticsearchDocumentRepository } from './document-repository.ts';
import {
  BulkLoadError,
  bulkLoadDocuments,
  checkDocumentDataset,
  loadDocumentDataset,
  readLoadSettings,
} from './bulk-load.ts';

const seed = envSeed();
console.log(`bulk-load seed ${seed} (replay with DALBENCH_SEED=${seed})`);
const vocabulary = new ZipfVocabulary();
const small: ScaleSpec = {
  ...NAMED_SCALES.xs,
  name: 'small',
  documents: { ...NAMED_SCALES.xs.documents, count: 600 },
};

async function repositoryWithPrefix() {
  const prefix = `dalbench-bl${randomBytes(3).toString('hex')}-`;
  const [config] = parseStorageConfigs([
    {
      type: 'document',
      backend: 'elasticsearch',
      url: requireStore('elasticsearch').url,
      options: { indexPrefix: prefix },
    },
  ]);
  if (!config) throw new Error('no config');
  return createElasticsearchDocumentRepository(config);
}

describe.skipIf(unavailableReason('elasticsearch') !== undefined)('Elasticsearch bulk loader', () => {
  it('loads documents the repository reads and searches; reuses only the same dataset', async () => {
    await using repository = await repositoryWithPrefix();
    const index = repository.indexName('experiments');
    try {
      const a = documentDataset(small, seed, 'es@1', { vocabulary });
      const loaded = await loadDocumentDataset(repository.client, index, a.identity, a.source, {
        batchSize: 100,
        concurrency: 3,
      });
      expect(loaded).toMatchObject({ action: 'loaded', records: 600 });
      expect(await repository.count('experiments')).toBe(600);
      const sample = a.generator.document(123);
      expect((await repository.get('experiments', sample.id))?.document).toEqual(sample.document);
      const common = a.generator.queryTerms().common[0]!;
      expect((await repository.search('experiments', { text: common })).total).toBeGreaterThan(400);
      // Settings are back to the index's own (refresh not left disabled).
      expect((await readLoadSettings(repository.client, index)).refresh_interval).not.toBe('-1');

      expect((await loadDocumentDataset(repository.client, index, a.identity, a.source)).action).toBe(
        'reused',
      );
      for (const b of [
        documentDataset(small, seed + 1, 'es@1', { vocabulary }),
        documentDataset(
          { ...small, name: 'small2', documents: { ...small.documents, count: 500 } },
          seed,
          'es@1',
          { vocabulary },
        ),
        documentDataset(small, seed, 'es@1', { vocabulary, extraSpec: { fields: 'v2' } }),
      ]) {
        expect((await checkDocumentDataset(repository.client, index, b.identity)).action).toBe('reload');
        expect((await loadDocumentDataset(repository.client, index, b.identity, b.source)).action).toBe(
          'loaded',
        );
        expect(await repository.count('experiments')).toBe(b.generator.total);
        const doc = b.generator.document(7);
        expect((await repository.get('experiments', doc.id))?.document).toEqual(doc.document);
        expect((await checkDocumentDataset(repository.client, index, a.identity)).action).toBe('reload');
      }
      // A load interrupted before its completion marker is never reused.
      const interrupted = {
        *documents() {
          let n = 0;
          for (const d of a.generator.documents()) {
            if (++n > 250) throw new Error('interrupted');
            yield d;
          }
        },
      };
      await expect(
        loadDocumentDataset(repository.client, index, a.identity, interrupted, { batchSize: 100 }),
      ).rejects.toThrow(/interrupted/);
      expect((await checkDocumentDataset(repository.client, index, a.identity)).action).toBe('reload');
      expect((await readLoadSettings(repository.client, index)).refresh_interval).not.toBe('-1');
    } finally {
      await repository.dropCollection('experiments');
    }
  });

  it('restores the previous settings when a load fails midway and names the refused document', async () => {
    await using repository = await repositoryWithPrefix();
    const index = repository.indexName('failing');
    try {
      await repository.index('failing', 'seed-doc', { metrics: { precision: 0.5 } });
      await repository.client.indices.putSettings({ index, settings: { index: { refresh_interval: '7s' } } });
      const data = documentDataset(small, seed, 'es@1', { vocabulary });
      const items = function* () {
        let n = 0;
        for (const d of data.generator.documents()) {
          if (++n === 250) yield { id: 'bad-doc', document: { metrics: { precision: 'not a number' } } };
          else yield d;
        }
      };
      const error = await bulkLoadDocuments(repository.client, index, items(), {
        batchSize: 100,
        concurrency: 1,
      }).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(BulkLoadError);
      expect((error as BulkLoadError).result.errors.map((e) => e.id)).toEqual(['bad-doc']);
      expect((error as Error).message).toMatch(/bad-doc/);
      // Stopped after the failing batch (not all 600 sent), settings restored.
      expect(await repository.count('failing')).toBeLessThan(600);
      expect(await readLoadSettings(repository.client, index)).toEqual({
        refresh_interval: '7s',
        number_of_replicas: '0',
      });
    } finally {
      await repository.dropCollection('failing');
    }
  });
});

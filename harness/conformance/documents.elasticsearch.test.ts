// The document contract on a real Elasticsearch: indices under a per-file prefix, dropped afterwards.
import { randomBytes } from 'node:crypto';
import { parseStorageConfigs } from '../../reference-dal/config/storage-config.ts';
import { createElasticsearchDocumentRepository } from '../../reference-dal/backends/elasticsearch/document-repository.ts';
import { requireStore } from '../../test/support/stores.ts';
import { documentsContract } from './documents.contract.ts';

documentsContract('elasticsearch', async () => {
  const [config] = parseStorageConfigs([
    {
      type: 'document',
      backend: 'elasticsearch',
      url: requireStore('elasticsearch').url,
      options: { indexPrefix: `dalbench-t${randomBytes(3).toString('hex')}-`, refresh: 'false' },
    },
  ]);
  if (!config) throw new Error('no config');
  const repository = await createElasticsearchDocumentRepository(config);
  return {
    repository,
    drop: async (collection) => {
      await repository.dropCollection(collection);
    },
    [Symbol.asyncDispose]: () => repository.close(),
  };
});

// Backend factories a profile needs beyond the DAL's default table (documents, objects, cache),
// until they are registered in reference-dal/dal/backend-factories.ts. The default table wins where
// it already has an entry, so registering them there changes nothing here.
import { createElasticsearchDocumentRepository } from '../backends/elasticsearch/document-repository.ts';
import { createPostgresDocumentRepository } from '../backends/postgres/document-repository.ts';
import { createPostgresObjectRepository } from '../backends/postgres/object-repository.ts';
import { RedisCacheStore } from '../backends/redis/redis-cache-store.ts';
import { createS3ObjectRepository } from '../backends/s3/object-repository.ts';
import type { StorageType } from '../config/storage-config.ts';
import { defaultBackendFactories } from '../dal/backend-factories.ts';
import type { BackendFactories, BackendFactory } from '../dal/services.ts';

const elasticsearchDocuments: BackendFactory<'document'> = async ({ config }) => {
  const repository = await createElasticsearchDocumentRepository(config);
  return {
    store: 'elasticsearch',
    service: repository,
    ping: async () => void (await repository.health()),
    close: () => repository.close(),
  };
};

const postgresDocuments: BackendFactory<'document'> = async ({ config }) => {
  const repository = await createPostgresDocumentRepository(config);
  return {
    store: 'postgres',
    service: repository,
    ping: async () => void (await repository.health()),
    close: () => repository.close(),
  };
};

const s3Objects: BackendFactory<'object'> = async ({ config }) => {
  const repository = await createS3ObjectRepository(config);
  return {
    store: 's3',
    service: repository,
    ping: async () => void (await repository.health()),
    close: () => repository.close(),
  };
};

const postgresObjects: BackendFactory<'object'> = async ({ config }) => {
  const repository = await createPostgresObjectRepository(config);
  return {
    store: 'postgres',
    service: repository,
    ping: async () => void (await repository.health()),
    close: () => repository.close(),
  };
};

const redisCache: BackendFactory<'cache'> = async ({ config }) => {
  const store = await RedisCacheStore.open(config);
  return { store: 'redis', service: store, ping: () => store.ping(), close: () => store.close() };
};

const PROFILE_FACTORIES: BackendFactories = {
  document: { elasticsearch: elasticsearchDocuments, postgres: postgresDocuments },
  object: { s3: s3Objects, postgres: postgresObjects },
  cache: { redis: redisCache },
};

/** The DAL's default factories, with the profile backends filled in where the default has none. */
export function profileBackendFactories(): BackendFactories {
  const defaults = defaultBackendFactories();
  const merged: Record<string, unknown> = {};
  const types = new Set([...Object.keys(defaults), ...Object.keys(PROFILE_FACTORIES)]) as Set<StorageType>;
  for (const type of types) {
    merged[type] = Object.freeze({ ...PROFILE_FACTORIES[type], ...defaults[type] });
  }
  return Object.freeze(merged) as BackendFactories;
}

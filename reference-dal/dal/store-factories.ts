// Factories for the document, object and cache backends: each builds its repository from a
// validated config, proves the store answers, and hands the DAL a handle that owns it.
import { createElasticsearchDocumentRepository } from '../backends/elasticsearch/document-repository.ts';
import { createPostgresDocumentRepository } from '../backends/postgres/document-repository.ts';
import { createPostgresObjectRepository } from '../backends/postgres/object-repository.ts';
import { RedisCacheStore } from '../backends/redis/redis-cache-store.ts';
import { createS3ObjectRepository } from '../backends/s3/object-repository.ts';
import type pg from 'pg';
import type { StoreName } from '../errors.ts';
import type { BackendFactory, StorageServices, StoreHandle } from './services.ts';

interface Closable {
  health(): Promise<unknown>;
  close(): Promise<void>;
}

function owned<T extends keyof StorageServices>(
  store: StoreName,
  repository: StorageServices[T] & Closable,
  pool?: pg.Pool,
): StoreHandle<T> {
  let closed: Promise<void> | undefined;
  return {
    store,
    service: repository,
    pool,
    async ping() {
      await repository.health();
    },
    close() {
      closed ??= repository.close();
      return closed;
    },
  };
}

export const elasticsearchDocuments: BackendFactory<'document'> = async ({ config }) =>
  owned<'document'>('elasticsearch', await createElasticsearchDocumentRepository(config));

export const postgresDocuments: BackendFactory<'document'> = async ({ config }) => {
  const repository = await createPostgresDocumentRepository(config);
  return owned<'document'>('postgres', repository, repository.pool);
};

export const s3Objects: BackendFactory<'object'> = async ({ config }) =>
  owned<'object'>('s3', await createS3ObjectRepository(config));

export const postgresObjects: BackendFactory<'object'> = async ({ config }) => {
  const repository = await createPostgresObjectRepository(config);
  return owned<'object'>('postgres', repository, repository.pool);
};

export const redisCache: BackendFactory<'cache'> = async ({ config }) => {
  const store = await RedisCacheStore.open(config);
  let closed: Promise<void> | undefined;
  return {
    store: 'redis',
    service: store,
    ping: () => store.ping(),
    close() {
      closed ??= store.close();
      return closed;
    },
  };
};

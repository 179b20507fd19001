// The default table of backend factories: storage type → backend → factory. This is the one
// place a new backend is registered. To add one, import its factory and add an entry, e.g.
//   document: { elasticsearch: elasticsearchDocuments, postgres: postgresDocuments },
// A caller (tests, profiles) may instead pass its own table to DataAccessLayer.initialize, and a
// profile adds its own backends through storage(env).backends (mergeBackendFactories).
// No module-level registry: every call returns a fresh, frozen table.
import type { OwnBackendNames, StorageType } from '../config/storage-config.ts';
import type { BackendFactories } from './services.ts';
import { postgresTimeSeries, postgresTransactional, timescaleTimeSeries } from './postgres-factories.ts';
import {
  elasticsearchDocuments,
  postgresDocuments,
  postgresObjects,
  redisCache,
  s3Objects,
} from './store-factories.ts';

export function defaultBackendFactories(): BackendFactories {
  return Object.freeze({
    transactional: Object.freeze({ postgres: postgresTransactional }),
    timeseries: Object.freeze({ postgres: postgresTimeSeries, timescaledb: timescaleTimeSeries }),
    document: Object.freeze({ elasticsearch: elasticsearchDocuments, postgres: postgresDocuments }),
    object: Object.freeze({ s3: s3Objects, postgres: postgresObjects }),
    cache: Object.freeze({ redis: redisCache }),
  });
}

/**
 * `own` over `base`, per storage type: an own backend name is added beside the built-in ones, an own
 * factory under a built-in name replaces it. Neither table is changed.
 */
export function mergeBackendFactories(base: BackendFactories, own: BackendFactories): BackendFactories {
  const merged: Record<string, unknown> = { ...base };
  for (const type of Object.keys(own) as StorageType[]) {
    merged[type] = Object.freeze({ ...base[type], ...own[type] });
  }
  return Object.freeze(merged);
}

/** The backend names a table provides per storage type (what parseStorageConfigs accepts besides the built-ins). */
export function backendNames(table: BackendFactories): OwnBackendNames {
  return Object.fromEntries(
    Object.entries(table).map(([type, factories]) => [type, Object.keys(factories ?? {})]),
  );
}

// The default table of backend factories: storage type → backend → factory. This is the one
// place a new backend is registered. To add one, import its factory and add an entry, e.g.
//   document: { elasticsearch: elasticsearchDocuments, postgres: postgresDocuments },
// A caller (tests, profiles) may instead pass its own table to DataAccessLayer.initialize.
// No module-level registry: every call returns a fresh, frozen table.
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

export { DataAccessLayer, type DataAccessLayerOptions } from './data-access-layer.ts';
export { defaultBackendFactories } from './backend-factories.ts';
export type { HealthReport, StoreHealth } from './health.ts';
export type {
  BackendContext,
  BackendFactories,
  BackendFactory,
  StorageServices,
  StoreHandle,
  TransactionalService,
} from './services.ts';

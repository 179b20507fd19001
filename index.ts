// The public API of the `dalbench` package: what a user's dalbench.config.ts, scenario and budget
// files import, and the port and result types an own adapter or a results reader needs. Everything
// else is internal (package.json's `exports` map lets nothing else be imported).

// An own PostgreSQL backend connects as the built-in ones do: the URL's sslmode / sslrootcert read
// with libpq's meaning (pg's own parser would read them differently).
export { pgConnection } from './reference-dal/sql/connection.ts';

// dalbench.config.ts
export {
  defineConfig,
  ConfigError,
  type DalbenchConfig,
  type DalbenchConfigInput,
} from './harness/run/config.ts';

// Storage options: which store holds which kind of data.
export {
  defineProfile,
  type Profile,
  type ProfileInput,
  type ProfileEnvironment,
  type ProfileStorage,
  type ProfileStore,
  type ConsistencySettings,
  type CacheSettings,
  type ServiceWrappers,
} from './reference-dal/profiles/profile.ts';
// The built-in profiles, to derive an own profile from (`{ ...polyglotProfile.storage(env), ... }`).
export {
  polyglotProfile,
  polyglotNoCacheProfile,
  singlePostgresProfile,
} from './reference-dal/profiles/builtin-profiles.ts';
export type {
  Backend,
  StorageConfig,
  StorageConfigInput,
  StorageType,
} from './reference-dal/config/storage-config.ts';
// An own backend: a factory per storage type and backend name, listed in a profile's
// storage(env).backends, builds a StoreHandle whose service implements that type's port.
export type {
  BackendContext,
  BackendFactories,
  BackendFactory,
  StorageServices,
  StoreHandle,
  TransactionalService,
} from './reference-dal/dal/services.ts';
// What an adapter throws: the contract suites check ValidationError by class and field.
export {
  DalError,
  IntegrityError,
  NotFoundError,
  StoreError,
  StoreTimeoutError,
  ValidationError,
  VersionConflictError,
  type StoreName,
} from './reference-dal/errors.ts';

// Workloads
export {
  defineScenario,
  ScenarioDefinitionError,
  type Scenario,
  type ScenarioInput,
  type Operation,
  type OperationInput,
  type OperationContext,
  type LoadContext,
  type Recorder,
  type SizeSpec,
} from './harness/workload/scenario.ts';

// Budgets
export { defineBudgets } from './harness/budgets/define.ts';
export type { BudgetInput, BudgetSetInput, Comparator, MetricRef } from './harness/budgets/schema.ts';

// The ports an adapter implements (one interface per kind of data).
export {
  AGGREGATIONS,
  BUCKET_ORIGIN,
  INTERVALS,
  type Aggregation,
  type Interval,
  type MetricBucket,
  type MetricPoint,
  MAX_QUERY_SERIES,
  loadMetricPoints,
  type LatestQuery,
  type MetricQuery,
  type MultiMetricQuery,
  type SeriesBucket,
  type SeriesSelection,
  type SeriesValue,
  type TimeSeriesRepository,
  type TopSeriesQuery,
} from './reference-dal/ports/time-series.ts';
// Edge validation of the multi-series shapes, so an own adapter refuses what the built-in ones refuse.
export { selectedSeries, validateInstant, validateTopK } from './reference-dal/sql/metric-shapes.ts';
export {
  loadDocuments,
  type BulkItem,
  type BulkResult,
  type DocumentRepository,
  type IndexOptions,
  type JsonDocument,
  type SearchHit,
  type SearchQuery,
  type SearchResult,
  type StoredDocument,
} from './reference-dal/ports/documents.ts';
export type { ObjectInfo, ObjectRepository, PutOptions } from './reference-dal/ports/objects.ts';
export type { CacheStore } from './reference-dal/ports/cache.ts';
export type {
  Detector,
  Entity,
  EntityKind,
  EntityRepository,
  Experiment,
  ListFilter,
  MetadataRepositories,
  Model,
  TransactionalSession,
} from './reference-dal/ports/transactional.ts';

// results.json, as written by `dalbench run` and read by every renderer.
export {
  RESULTS_SCHEMA_VERSION,
  type Results,
  type ScenarioResult,
  type OperationResult,
  type HistogramSummary,
  type RunMetadata,
  type Verdict,
} from './harness/results/schema.ts';

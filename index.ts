// The public API of the `dalbench` package: what a user's dalbench.config.ts, scenario and budget
// files import, and the port and result types an own adapter or a results reader needs. Everything
// else is internal (package.json's `exports` map lets nothing else be imported).

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
export type { Backend, StorageConfigInput, StorageType } from './reference-dal/config/storage-config.ts';
export type { StorageServices, TransactionalService } from './reference-dal/dal/services.ts';

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
export type {
  Aggregation,
  Interval,
  MetricBucket,
  MetricPoint,
  MetricQuery,
  TimeSeriesRepository,
} from './reference-dal/ports/time-series.ts';
export type {
  BulkItem,
  BulkResult,
  DocumentRepository,
  IndexOptions,
  JsonDocument,
  SearchHit,
  SearchQuery,
  SearchResult,
  StoredDocument,
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
} from './harness/report/results-schema.ts';

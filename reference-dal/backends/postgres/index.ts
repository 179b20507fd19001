export { createMetadataRepositories, PostgresEntityRepository } from './metadata-repository.ts';
export { METADATA_MIGRATIONS, METADATA_NAMESPACE, METADATA_TABLES } from './metadata-migrations.ts';
export { migrateMetadata } from './metadata-schema.ts';
export { PostgresTimeSeriesRepository } from './time-series-repository.ts';
export {
  POSTGRES_METRIC_TABLE,
  TIME_SERIES_MIGRATIONS,
  TIME_SERIES_NAMESPACE,
} from './time-series-migrations.ts';
export { PartitionManager, partitionName, partitionStart, PARTITION_MS } from './time-series-partitions.ts';

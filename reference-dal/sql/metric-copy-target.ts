// What the COPY loader of metric points (backends/postgres/time-series-copy.ts) loads into. Shared
// here, not in the postgres backend, because the TimescaleDB backend names its hypertable as a target
// too, and backends never import each other (DESIGN.md, Architecture).

export interface MetricCopyTarget {
  /** Trusted constant table name (one of the repositories' tables). */
  readonly table: string;
  /** 'weekly': partitions must exist before rows arrive; 'hypertable': TimescaleDB makes chunks. */
  readonly partitioning: 'weekly' | 'none' | 'hypertable';
  /** Recorded in the dataset identity: a schema change invalidates loaded data. */
  readonly schemaVersion: string;
}

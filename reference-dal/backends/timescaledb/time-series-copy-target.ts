// The TimescaleDB hypertable as a target of the PostgreSQL COPY loader (TimescaleDB speaks PostgreSQL's
// COPY): whoever wires both backends (a profile, a harness loader) passes it to loadMetricDataset.
import type { MetricCopyTarget } from '../../sql/metric-copy-target.ts';
import { TIMESCALE_METRIC_TABLE, TIMESCALE_NAMESPACE } from './time-series-migrations.ts';

export const TIMESCALE_METRICS_TARGET: MetricCopyTarget = {
  table: TIMESCALE_METRIC_TABLE.table,
  partitioning: 'hypertable',
  schemaVersion: `${TIMESCALE_NAMESPACE}@1`,
};

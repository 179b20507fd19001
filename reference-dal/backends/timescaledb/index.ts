export { TimescaleTimeSeriesRepository } from './time-series-repository.ts';
export {
  TIMESCALE_METRIC_TABLE,
  TIMESCALE_MIGRATIONS,
  TIMESCALE_NAMESPACE,
} from './time-series-migrations.ts';

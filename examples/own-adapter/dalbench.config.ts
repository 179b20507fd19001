// A profile that keeps polyglot's stores (PostgreSQL, Elasticsearch, S3, Redis) and puts time-series
// on this project's own backend: `npx dalbench run --profile brin-postgres,polyglot,single-postgres`.
import { defineConfig, defineProfile, polyglotProfile } from 'dalbench';
import { brinTimeSeries } from './src/brin-time-series.ts';

const brinPostgres = defineProfile({
  name: 'brin-postgres',
  description: "polyglot's stores, with time-series on a plain PostgreSQL table with a BRIN index on ts",
  requires: [...polyglotProfile.requires],
  storage(env) {
    const polyglot = polyglotProfile.storage(env);
    const url = env.databases.postgres;
    if (!url) throw new Error('brin-postgres: no PostgreSQL database was created for this profile');
    return {
      ...polyglot,
      configs: polyglot.configs.map((config) =>
        config.type === 'timeseries' ? { type: 'timeseries' as const, backend: 'brin', url } : config,
      ),
      // polyglot's warnings are about where its own time-series went (TimescaleDB or not).
      warnings: [],
      backends: { timeseries: { brin: brinTimeSeries } },
    };
  },
});

export default defineConfig({ profiles: [brinPostgres] });

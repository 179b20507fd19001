// The two migration layouts as storage configs: both must pass the DAL's config validation, and each
// data type must land on the backend (and metrics layout) the migration's verification assumes.
import { describe, expect, it } from 'vitest';
import { parseStorageConfigs } from '../config/storage-config.ts';
import { polyglotLayout, singlePostgresLayout, type PolyglotTarget } from './layouts.ts';

const TARGET: PolyglotTarget = {
  postgresUrl: 'postgres://u:p@pg.example:5432/target',
  elasticsearchUrl: 'http://es.example:9200',
  s3Url: 'http://key:secret@s3.example:9000',
  indexPrefix: 'mig-',
  bucket: 'mig-bucket',
};

/** type → [backend, url, options] of a validated layout. */
function byType(input: unknown) {
  const parsed = parseStorageConfigs(input, 'layout');
  return Object.fromEntries(parsed.map((c) => [c.type, [c.backend, c.url, { ...c.options }]]));
}

describe('migration layouts', () => {
  it('single-postgres: every type in the one database, metrics in the plain table', () => {
    const url = 'postgres://u:p@pg.example:5432/source';
    expect(byType(singlePostgresLayout(url))).toEqual({
      transactional: ['postgres', url, {}],
      timeseries: ['postgres', url, { layout: 'plain' }],
      document: ['postgres', url, {}],
      object: ['postgres', url, {}],
    });
  });

  it('polyglot without TimescaleDB: partitioned metrics in the target PostgreSQL', () => {
    expect(byType(polyglotLayout(TARGET))).toEqual({
      transactional: ['postgres', TARGET.postgresUrl, {}],
      timeseries: ['postgres', TARGET.postgresUrl, { layout: 'partitioned' }],
      document: ['elasticsearch', TARGET.elasticsearchUrl, { indexPrefix: 'mig-' }],
      object: ['s3', TARGET.s3Url, { bucket: 'mig-bucket' }],
    });
  });

  it('polyglot with TimescaleDB: metrics go there, the rest is unchanged', () => {
    const timescaleUrl = 'postgres://u:p@ts.example:5432/metrics';
    const withTimescale = byType(polyglotLayout({ ...TARGET, timescaleUrl }));
    expect(withTimescale['timeseries']).toEqual(['timescaledb', timescaleUrl, {}]);
    expect({ ...withTimescale, timeseries: undefined }).toEqual({
      ...byType(polyglotLayout(TARGET)),
      timeseries: undefined,
    });
  });
});

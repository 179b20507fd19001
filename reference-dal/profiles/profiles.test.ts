// Each built-in profile builds on real stores, serves its ports, and disposing it removes what it
// made: its database, its Redis keys, its Elasticsearch index and its S3 bucket.
import pg from 'pg';
import { describe, expect, it } from 'vitest';
import { requireStore } from '../../test/support/stores.ts';
import { ValidationError } from '../errors.ts';
import { builtInProfiles } from './builtin-profiles.ts';
import { defineProfile } from './profile.ts';
import { SystemUnderTest } from './system-under-test.ts';
import type { ProfileStore } from './profile.ts';

function endpoints(kinds: readonly ProfileStore[]): Partial<Record<ProfileStore, string>> {
  return Object.fromEntries(kinds.map((k) => [k, requireStore(k).url]));
}

async function databaseExists(serverUrl: string, name: string): Promise<boolean> {
  const client = new pg.Client({ connectionString: serverUrl });
  await client.connect();
  try {
    const r = await client.query('SELECT 1 FROM pg_database WHERE datname = $1', [name]);
    return r.rowCount === 1;
  } finally {
    await client.end();
  }
}

describe('built-in profiles on real stores', () => {
  for (const profile of builtInProfiles().values()) {
    it(`${profile.name} builds, serves every port and cleans up on dispose`, async () => {
      const label = `t${Math.floor(Math.random() * 1e9).toString(36)}`;
      const sut = await SystemUnderTest.build(profile, {
        endpoints: endpoints(profile.requires),
        runLabel: label,
      });
      let dbName: string;
      try {
        expect(sut.dal.types).toEqual(
          expect.arrayContaining(['transactional', 'timeseries', 'document', 'object']),
        );
        expect(sut.capabilities.cache).toBe(profile.requires.includes('redis'));
        await sut.dal.timeSeries.saveMetrics([{ timestamp: new Date(0), metricName: 'm', value: 1 }]);
        await sut.dal.documents.index('experiments', 'a', { title: 'hello world' });
        await sut.dal.documents.refresh('experiments');
        expect((await sut.dal.documents.search('experiments', { text: 'hello' })).total).toBe(1);
        await sut.dal.objects.put('k/a.bin', new Uint8Array([1, 2, 3]));
        expect([...((await sut.dal.objects.get('k/a.bin'))?.body ?? [])]).toEqual([1, 2, 3]);
        const loads: number[] = [];
        const load = () => Promise.resolve((loads.push(1), 42));
        expect(await sut.cached(sut.key('n', 1), load)).toBe(42);
        expect(await sut.cached(sut.key('n', 1), load)).toBe(42);
        // With a cache the second read is a hit; without one every read loads.
        expect(loads.length).toBe(sut.cache ? 1 : 2);
        const health = await sut.dal.healthCheck();
        expect(Object.keys(health).sort()).toEqual([...sut.dal.types].sort());
        expect(Object.values(health).every((h) => h?.ok)).toBe(true);
        dbName = `dalbench_${profile.name.replace(/-/g, '_')}_${label}`;
        expect(await databaseExists(requireStore('postgres').url, dbName)).toBe(true);
      } finally {
        await sut[Symbol.asyncDispose]();
      }
      expect(await databaseExists(requireStore('postgres').url, dbName)).toBe(false);
    });
  }

  it('a profile missing a required store fails to build and leaves no database behind', async () => {
    const profile = builtInProfiles().get('polyglot')!;
    await expect(
      SystemUnderTest.build(profile, {
        endpoints: {
          postgres: requireStore('postgres').url,
          elasticsearch: 'http://127.0.0.1:1',
          s3: 'http://a:b@127.0.0.1:1/',
          redis: 'redis://127.0.0.1:1',
        },
        runLabel: 'broken',
      }),
    ).rejects.toThrow();
    expect(await databaseExists(requireStore('postgres').url, 'dalbench_polyglot_broken')).toBe(false);
  });

  it('defineProfile names the profile and field of a bad definition', () => {
    expect(() =>
      defineProfile({
        name: 'Bad Name',
        description: 'x',
        requires: ['postgres'],
        storage: () => ({ configs: [] }),
      }),
    ).toThrow(ValidationError);
    expect(() =>
      defineProfile({
        name: 'ok',
        description: 'x',
        requires: ['mysql' as 'postgres'],
        storage: () => ({ configs: [] }),
      }),
    ).toThrow(/profile "ok"\.requires\.0/);
  });
});

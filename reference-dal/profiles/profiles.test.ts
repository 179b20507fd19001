// Each built-in profile builds on real stores, serves its ports, and disposing it removes what it
// made: its database, its Redis keys, its Elasticsearch index and its S3 bucket.
import pg from 'pg';
import { describe, expect, it } from 'vitest';
import { requireStore, unavailableReason } from '../../test/support/stores.ts';
import { ValidationError } from '../errors.ts';
import { builtInProfiles } from './builtin-profiles.ts';
import { databaseName } from './profile-databases.ts';
import { defineProfile, resolveBehaviour } from './profile.ts';
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
    // polyglot-caggs needs TimescaleDB, which a test run has only where it is installed.
    const missing = profile.requires.map(unavailableReason).find((reason) => reason !== undefined);
    it.skipIf(missing !== undefined)(
      `${profile.name} builds, serves every port and cleans up on dispose${missing ? ` (skipped: ${missing})` : ''}`,
      async () => {
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
          dbName = databaseName('postgres', `${profile.name}_${label}`);
          expect(await databaseExists(requireStore('postgres').url, dbName)).toBe(true);
        } finally {
          await sut[Symbol.asyncDispose]();
        }
        expect(await databaseExists(requireStore('postgres').url, dbName)).toBe(false);
      },
    );
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
    expect(
      await databaseExists(requireStore('postgres').url, databaseName('postgres', 'polyglot_broken')),
    ).toBe(false);
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

  it('resolves coherence settings to the ADR defaults and names the field of a bad one', () => {
    expect(resolveBehaviour('p', { configs: [] })).toEqual({
      invalidation: 'after-commit',
      staleFillGuard: true,
      cacheTtlMs: undefined,
    });
    expect(
      resolveBehaviour('p', {
        configs: [],
        cacheTtlMs: 1_000,
        consistency: { invalidation: 'before-commit' },
        cache: { staleFillGuard: false },
      }),
    ).toEqual({ invalidation: 'before-commit', staleFillGuard: false, cacheTtlMs: 1_000 });
    expect(() =>
      resolveBehaviour('p', { configs: [], consistency: { invalidation: 'later' as 'none' } }),
    ).toThrow(/profile "p" storage\.consistency\.invalidation/);
    expect(() => resolveBehaviour('p', { configs: [], cache: { staleFilGuard: false } as never })).toThrow(
      ValidationError,
    );
    expect(() => resolveBehaviour('p', { configs: [], cacheTtlMs: 0 })).toThrow(/storage\.cacheTtlMs/);
  });

  it("wires a profile's coherence settings into its writer and cache, and hands another client plain data", async () => {
    const polyglot = builtInProfiles().get('polyglot')!;
    const profile = defineProfile({
      name: 'no-invalidation-test',
      description: 'polyglot without invalidation and without the stale-fill guard',
      requires: [...polyglot.requires],
      storage: (env) => ({
        ...polyglot.storage(env),
        consistency: { invalidation: 'none' },
        cache: { staleFillGuard: false },
      }),
    });
    await using sut = await SystemUnderTest.build(profile, {
      endpoints: endpoints(profile.requires),
      runLabel: `t${Math.floor(Math.random() * 1e9).toString(36)}`,
    });
    expect(sut.behaviour).toMatchObject({ invalidation: 'none', staleFillGuard: false });
    expect(sut.cache?.options.staleFillGuard).toBe(false);
    const setup = sut.clientSetup();
    expect(setup.configs.map((c) => c.type).sort()).toEqual(['cache', 'transactional']);
    expect(setup.cache).toMatchObject({ prefix: sut.cache?.keys.prefix, staleFillGuard: false });
    expect(structuredClone(setup)).toEqual(setup);

    // No invalidation: the writer leaves the cached copy in place.
    const created = await sut.experiments.create({
      name: 'e',
      description: 'd',
      detectorId: null,
      status: 'running',
      tags: [],
      metrics: {},
    });
    const key = sut.key('experiment', created.id);
    await sut.cache!.set(key, 'cached');
    await sut.experiments.update(created.id, created.version, { ...created.data, description: 'd2' });
    expect(await sut.cache!.get(key)).toEqual({ hit: true, value: 'cached' });
  });

  it('opens an attached resource once and disposes it with the system, last opened first', async () => {
    const profile = builtInProfiles().get('single-postgres')!;
    const sut = await SystemUnderTest.build(profile, {
      endpoints: endpoints(profile.requires),
      runLabel: `t${Math.floor(Math.random() * 1e9).toString(36)}`,
    });
    const closed: string[] = [];
    const resource = (name: string) => ({
      name,
      [Symbol.asyncDispose]: () => Promise.resolve(void closed.push(name)),
    });
    try {
      const a = await sut.attach('a', () => Promise.resolve(resource('a')));
      expect(await sut.attach('a', () => Promise.resolve(resource('other')))).toBe(a);
      await expect(sut.attach('broken', () => Promise.reject(new Error('no')))).rejects.toThrow('no');
      // A failed open is forgotten: the next call opens again.
      expect((await sut.attach('broken', () => Promise.resolve(resource('b')))).name).toBe('b');
    } finally {
      await sut[Symbol.asyncDispose]();
    }
    expect(closed).toEqual(['b', 'a']);
    await expect(sut.attach('late', () => Promise.resolve(resource('late')))).rejects.toThrow(/disposing/);
  });
});

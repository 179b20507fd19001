// `--reuse-data` on real stores: a loaded dataset outlives its system and is reused only by a system
// asking for exactly the same identity; a different identity under the same name (a changed spec),
// or a load that never finished, is dropped — PostgreSQL database and Elasticsearch index alike —
// and the system starts empty.
import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { afterAll, describe, expect, it } from 'vitest';
import { requireStore } from '../../test/support/stores.ts';
import type { ElasticsearchDocumentRepository } from '../backends/elasticsearch/document-repository.ts';
import { builtInProfiles } from './builtin-profiles.ts';
import { databaseName } from './profile-databases.ts';
import { datasetLabel, type DatasetRequest } from './profile-dataset.ts';
import type { Profile, ProfileStore } from './profile.ts';
import { SystemUnderTest } from './system-under-test.ts';

const profile = builtInProfiles().get('polyglot') as Profile;
const endpoints = Object.fromEntries(
  profile.requires.map((kind) => [kind, requireStore(kind).url]),
) as Partial<Record<ProfileStore, string>>;
const id = randomBytes(32).toString('hex');
const spec = (seed: number): DatasetRequest => ({ id, identity: JSON.stringify({ scenario: 't', seed }) });
const build = (dataset: DatasetRequest) =>
  SystemUnderTest.build(profile, {
    endpoints,
    runLabel: randomBytes(3).toString('hex'),
    dataset,
  });

async function databaseExists(): Promise<boolean> {
  const client = new pg.Client({ connectionString: requireStore('postgres').url });
  await client.connect();
  try {
    const name = databaseName('postgres', datasetLabel(profile.name, spec(0)));
    return (await client.query('SELECT 1 FROM pg_database WHERE datname = $1', [name])).rowCount === 1;
  } finally {
    await client.end();
  }
}

/** What the system finds: metric points of series `s` and documents matching "kept". */
async function contents(sut: SystemUnderTest): Promise<{ points: number; documents: number }> {
  const points = await sut.dal.timeSeries.queryMetrics({
    metricName: 's',
    start: new Date(0),
    end: new Date(10_000),
    interval: '1s',
    aggregation: 'count',
  });
  const found = await sut.dal.documents.search('experiments', { text: 'kept' });
  return { points: points.reduce((n, b) => n + b.value, 0), documents: found.total };
}

async function load(sut: SystemUnderTest): Promise<void> {
  await sut.dal.timeSeries.saveMetrics(
    Array.from({ length: 5 }, (_, i) => ({ timestamp: new Date(i * 1_000), metricName: 's', value: i })),
  );
  await sut.dal.documents.index('experiments', 'a', { title: 'kept data' });
  await sut.dal.documents.refresh('experiments');
}

afterAll(async () => {
  // A dataset nobody marks loaded is dropped on dispose: this removes whatever a failed test kept.
  const sut = await build(spec(-1));
  await sut[Symbol.asyncDispose]();
  expect(await databaseExists()).toBe(false);
});

describe('reused datasets', () => {
  it('a finished load is kept and reused by the same identity only; another identity finds it dropped', async () => {
    const first = await build(spec(1));
    try {
      expect(first.dataset).toEqual({ id, reused: false });
      await load(first);
      await first.markDatasetLoaded();
    } finally {
      await first[Symbol.asyncDispose]();
    }
    expect(await databaseExists()).toBe(true);

    const again = await build(spec(1));
    try {
      expect(again.dataset?.reused).toBe(true);
      expect(await contents(again)).toEqual({ points: 5, documents: 1 });
    } finally {
      await again[Symbol.asyncDispose]();
    }

    // Same name, different identity (a changed spec, scale or seed): never served, dropped.
    const other = await build(spec(2));
    try {
      expect(other.dataset?.reused).toBe(false);
      expect(await contents(other)).toEqual({ points: 0, documents: 0 });
    } finally {
      await other[Symbol.asyncDispose]();
    }
    // Not marked loaded, so not kept either.
    expect(await databaseExists()).toBe(false);
  });

  it('a load that never finished is not reused: the next system starts empty', async () => {
    const interrupted = await build(spec(3));
    try {
      await load(interrupted);
      // No markDatasetLoaded: the process died, or the load failed, before the load finished.
    } finally {
      await interrupted[Symbol.asyncDispose]();
    }
    expect(await databaseExists()).toBe(false);

    const kept = await build(spec(3));
    try {
      await load(kept);
      await kept.markDatasetLoaded();
    } finally {
      await kept[Symbol.asyncDispose]();
    }
    // A crash mid-load leaves the database without a marker: simulate it by removing the marker.
    const client = new pg.Client({
      connectionString: requireStore('postgres').url.replace(
        /\/[^/?]*(\?|$)/,
        `/${databaseName('postgres', datasetLabel(profile.name, spec(3)))}$1`,
      ),
    });
    await client.connect();
    try {
      await client.query('DELETE FROM dalbench_dataset');
    } finally {
      await client.end();
    }
    const next = await build(spec(3));
    try {
      expect(next.dataset?.reused).toBe(false);
      expect(await contents(next)).toEqual({ points: 0, documents: 0 });
    } finally {
      await next[Symbol.asyncDispose]();
    }
  });

  it('kept data changed by hand (an index deleted, the points truncated) is loaded afresh, naming what changed', async () => {
    const loadKept = async () => {
      const sut = await build(spec(4));
      try {
        if (!sut.dataset?.reused) {
          await load(sut);
          await sut.markDatasetLoaded();
        }
      } finally {
        await sut[Symbol.asyncDispose]();
      }
    };
    const expectReloaded = async (why: RegExp) => {
      const next = await build(spec(4));
      try {
        expect(next.dataset).toMatchObject({
          reused: false,
          reloaded: expect.stringMatching(why) as unknown,
        });
        expect(await contents(next)).toEqual({ points: 0, documents: 0 });
      } finally {
        await next[Symbol.asyncDispose]();
      }
    };

    await loadKept();
    // The marker (in the PostgreSQL database) still matches; the Elasticsearch index is gone.
    const hand = await build(spec(4));
    try {
      expect(hand.dataset?.reused).toBe(true);
      expect(
        await (hand.dal.documents as ElasticsearchDocumentRepository).dropCollection('experiments'),
      ).toBe(true);
    } finally {
      await hand[Symbol.asyncDispose]();
    }
    await expectReloaded(/its stores changed since the load: documents:experiments 1 → 0/);

    await loadKept();
    // The points go behind the marker's back (as with a dropped time-series database, which is
    // created again empty): this profile keeps them beside the marker, so truncate them.
    const database = new pg.Client({
      connectionString: requireStore('postgres').url.replace(
        /\/[^/?]*(\?|$)/,
        `/${databaseName('postgres', datasetLabel(profile.name, spec(4)))}$1`,
      ),
    });
    await database.connect();
    try {
      await database.query('TRUNCATE dal_metrics');
    } finally {
      await database.end();
    }
    await expectReloaded(/points 5 → 0/);
    expect(await databaseExists()).toBe(false);
  });

  it('refuses a malformed dataset id before anything is created', async () => {
    await expect(build({ id: 'Not-Hex', identity: '{}' })).rejects.toThrow(
      /dataset id: expected 12-64 lowercase hex digits, got "Not-Hex"/,
    );
  });
});

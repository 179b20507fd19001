// `dalbench datasets list|drop` on real stores: a dataset kept by `--reuse-data` is listed with what it
// is and holds, and dropping it removes its database and Elasticsearch indices, so the next system
// with its identity starts empty; a load that never finished (a database without a marker) is listed
// and dropped too; bad ids are refused by name. Never `--all` here: other tests keep datasets on
// the same servers.
import { createHash, randomBytes } from 'node:crypto';
import pg from 'pg';
import { describe, expect, it } from 'vitest';
import { canonicalJson } from '../../../reference-dal/ports/dataset.ts';
import { builtInProfiles } from '../../../reference-dal/profiles/builtin-profiles.ts';
import { databaseName } from '../../../reference-dal/profiles/profile-databases.ts';
import { datasetLabel, type DatasetRequest } from '../../../reference-dal/profiles/profile-dataset.ts';
import type { Profile, ProfileStore } from '../../../reference-dal/profiles/profile.ts';
import { SystemUnderTest } from '../../../reference-dal/profiles/system-under-test.ts';
import { captureIo } from '../../../test/support/capture-io.ts';
import { requireStore } from '../../../test/support/stores.ts';
import { STORE_ENV } from '../../provision/external-provisioner.ts';
import { main } from '../main.ts';

const profile = builtInProfiles().get('polyglot') as Profile;
const endpoints = Object.fromEntries(
  profile.requires.map((kind) => [kind, requireStore(kind).url]),
) as Partial<Record<ProfileStore, string>>;
const env = Object.fromEntries(profile.requires.map((kind) => [STORE_ENV[kind], endpoints[kind]]));
const build = (dataset: DatasetRequest) =>
  SystemUnderTest.build(profile, { endpoints, runLabel: randomBytes(3).toString('hex'), dataset });

async function cli(args: string[]) {
  const io = captureIo(env);
  const code = await main(['datasets', ...args], io);
  return { code, out: io.stdout, err: io.stderr };
}

async function onServer<T>(fn: (client: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: endpoints.postgres });
  await client.connect();
  try {
    return await fn(client);
  } finally {
    await client.end();
  }
}

const databaseExists = (name: string) =>
  onServer(
    async (c) => (await c.query('SELECT 1 FROM pg_database WHERE datname = $1', [name])).rowCount === 1,
  );

describe('dalbench datasets', () => {
  it('lists a kept dataset with what it is and holds; drop removes its database and indices', async () => {
    // As `run` makes it: the id is the SHA-256 of the identity's canonical JSON.
    const identity = canonicalJson(
      { scenario: 'listed', seed: 7, profile: 'polyglot', nonce: randomBytes(8).toString('hex') },
      'dataset',
    );
    const id = createHash('sha256').update(identity).digest('hex');
    const short = id.slice(0, 12);
    const request = { id, identity };
    const sut = await build(request);
    try {
      await sut.dal.timeSeries.saveMetrics(
        Array.from({ length: 3 }, (_, i) => ({ timestamp: new Date(i * 1_000), metricName: 's', value: i })),
      );
      await sut.dal.documents.index('experiments', 'a', { title: 'kept data' });
      await sut.dal.documents.refresh('experiments');
      await sut.markDatasetLoaded();
    } finally {
      await sut[Symbol.asyncDispose]();
    }
    const database = databaseName('postgres', datasetLabel(profile.name, request));
    expect(await databaseExists(database)).toBe(true);

    const listed = await cli(['list']);
    expect(listed.code, listed.err).toBe(0);
    const line = listed.out.split('\n').find((l) => l.startsWith(short));
    expect(line, listed.out).toMatch(
      new RegExp(`^${short}\\s+polyglot\\s+listed\\s+-\\s+7\\s+\\d{4}-\\d\\d-\\d\\dT\\S+\\s+.*points=3`),
    );
    expect(line).toContain('documents:experiments=1');
    const json = JSON.parse((await cli(['list', '--json'])).out) as { id: string; inventory: object }[];
    expect(json.find((d) => d.id === id)?.inventory).toMatchObject({ points: 3, 'documents:experiments': 1 });

    const dropped = await cli(['drop', short.slice(0, 8)]);
    expect(dropped.code, dropped.err).toBe(0);
    expect(dropped.out).toBe(`dropped ${short}\n`);
    expect(await databaseExists(database)).toBe(false);
    const indices = (await (
      await fetch(`${endpoints.elasticsearch}/_cat/indices/*${short}*?format=json`)
    ).json()) as unknown[];
    expect(indices).toEqual([]);
    expect((await cli(['list'])).out).not.toContain(short);
    // The same identity again finds nothing kept.
    const again = await build(request);
    try {
      expect(again.dataset?.reused).toBe(false);
      expect(await again.dal.timeSeries.countPoints()).toBe(0);
    } finally {
      await again[Symbol.asyncDispose]();
    }
  });

  it('lists and drops a load that never finished (its database, no marker)', async () => {
    const short = randomBytes(6).toString('hex');
    const database = `dalbench_pg_polyglot_ds${short}`;
    await onServer((c) => c.query(`CREATE DATABASE ${database}`));
    try {
      const listed = await cli(['list']);
      expect(listed.out).toMatch(
        new RegExp(`^\\(unfinished\\).*database ${database}, load never finished`, 'm'),
      );
      const dropped = await cli(['drop', short]);
      expect(dropped.code, dropped.err).toBe(0);
      expect(dropped.out).toBe(`dropped ${database}\n`);
      expect(await databaseExists(database)).toBe(false);
    } finally {
      await onServer((c) => c.query(`DROP DATABASE IF EXISTS ${database}`));
    }
  });

  it('refuses bad ids, unknown ids and ids with --all, naming them; needs the stores given', async () => {
    const bad = await cli(['drop', 'XYZ']);
    expect(bad.code).toBe(2);
    expect(bad.err).toMatch(/dataset id "XYZ".*6 to 64 lowercase hex digits/);
    const unknown = await cli(['drop', 'abcdef0123']);
    expect(unknown.code).toBe(2);
    expect(unknown.err).toMatch(/dataset id "abcdef0123".*no kept dataset has it/);
    const both = await cli(['drop', 'abcdef', '--all']);
    expect(both.code).toBe(2);
    expect(both.err).toMatch(/--all.*not both/);
    const io = captureIo({});
    expect(await main(['datasets', 'list'], io)).toBe(2);
    expect(io.stderr).toMatch(/DALBENCH_POSTGRES_URL.*outlive a run/);
  });
});

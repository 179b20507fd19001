// The local provisioner against real servers: start → real round trip to each store → stop → processes gone
// and temp dir removed; a server killed mid-run is noticed. Elasticsearch starts once, in the first test.
import { CreateBucketCommand, GetObjectCommand, PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { Redis } from 'ioredis';
import pg from 'pg';
import { createServer, type AddressInfo } from 'node:net';
import { describe, expect, it } from 'vitest';
import { serverPort } from './free-port.ts';
import { LocalProvisioner } from './local-provisioner.ts';
import { detectLocalTimescale } from './local/postgres.ts';
import { groupAlive, isAlive } from './process-alive.ts';
import { OWNER_FILE, type OwnerRecord } from './run-dir.ts';
import type { StoreKind } from './provisioner.ts';
import { parseS3Url } from './s3-url.ts';

// Where TimescaleDB is installed for the local PostgreSQL, it is the postgres server (one more endpoint).
const timescale = (await detectLocalTimescale())?.installed === true;

async function waitUntil(condition: () => boolean, boundMs: number): Promise<boolean> {
  const deadline = Date.now() + boundMs;
  while (!condition() && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
  return condition();
}

describe('local provisioner', () => {
  it('starts postgres, redis, S3Proxy and Elasticsearch, answers real round trips, and leaves nothing behind', async () => {
    const lines: string[] = [];
    // Elasticsearch's launcher used to leave a /tmp/final-flags* directory behind on every start.
    const tmpBefore = new Set(readdirSync(tmpdir()));
    // Sizes unlike the defaults, so the checks below prove they reached the servers.
    const memory = {
      postgres: { sharedBuffersMb: 48, workMemMb: 6 },
      elasticsearch: { heapMb: 640 },
      basis: 'test sizes',
    };
    // Elasticsearch's first transport port is already taken when it binds (CI saw a client connection take
    // one): it must start again on new ports rather than fail the run.
    const squatter = createServer();
    await new Promise<void>((resolve) => squatter.listen(0, '127.0.0.1', resolve));
    const squatted = (squatter.address() as AddressInfo).port;
    const picked: Partial<Record<StoreKind, number[]>> = {};
    const pickPort = async (store: StoreKind) => {
      const ports = (picked[store] ??= []);
      ports.push(store === 'elasticsearch' && ports.length === 1 ? squatted : await serverPort());
      return ports.at(-1)!;
    };
    const stores = await new LocalProvisioner({ memory, serverPort: pickPort })
      .start({
        kinds: ['postgres', 'redis', 's3', 'elasticsearch', 'timescaledb'],
        log: (line) => lines.push(line),
      })
      .finally(() => squatter.close());
    const pids = Object.values(stores.pids);
    const runDir = stores.runDir;
    try {
      expect(lines).toContainEqual(
        expect.stringMatching(/^elasticsearch: port \d+ or \d+ was taken .*new ports$/),
      );
      expect(picked.elasticsearch).toHaveLength(4);
      expect(new URL(stores.endpoints.elasticsearch!.url).port).toBe(String(picked.elasticsearch![2]));
      expect(Object.keys(stores.endpoints).sort()).toEqual([
        'elasticsearch',
        'postgres',
        'redis',
        's3',
        ...(timescale ? ['timescaledb'] : []),
      ]);
      if (!timescale) expect(stores.unavailable.timescaledb).toMatch(/DALBENCH_TIMESCALE_URL/);
      expect(pids).toHaveLength(4);
      expect(existsSync(`${runDir}/owner.json`)).toBe(true);

      const pgEndpoint = stores.endpoints.postgres!;
      expect(pgEndpoint.url).toMatch(/^postgres:\/\/postgres@127\.0\.0\.1:\d+\/postgres$/);
      expect(pgEndpoint.serverVersion).toMatch(/^PostgreSQL \d+/);
      expect(pgEndpoint.notes.join(' ')).toContain('fsync=off');
      const client = new pg.Client({ connectionString: pgEndpoint.url });
      await client.connect();
      try {
        await client.query('CREATE TABLE t (v text)');
        await client.query("INSERT INTO t VALUES ('round trip')");
        expect((await client.query<{ v: string }>('SELECT v FROM t')).rows).toEqual([{ v: 'round trip' }]);
        const setting = async (name: string) =>
          (await client.query<{ v: string }>(`SELECT current_setting('${name}') AS v`)).rows[0]?.v;
        expect([await setting('shared_buffers'), await setting('work_mem')]).toEqual(['48MB', '6MB']);
        expect(pgEndpoint.notes).toContain('memory: shared_buffers 48 MiB, work_mem 6 MiB (test sizes)');
      } finally {
        await client.end();
      }

      const redis = new Redis(stores.endpoints.redis!.url, { lazyConnect: true });
      await redis.connect();
      try {
        await redis.set('dalbench:provision:k', 'v1');
        expect(await redis.get('dalbench:provision:k')).toBe('v1');
      } finally {
        redis.disconnect();
      }

      const s3 = parseS3Url(stores.endpoints.s3!.url);
      expect(stores.endpoints.s3!.serverVersion).toBe('S3Proxy 4.1.0');
      const s3Client = new S3Client({
        endpoint: s3.endpoint,
        region: s3.region,
        credentials: { accessKeyId: s3.accessKeyId, secretAccessKey: s3.secretAccessKey },
        forcePathStyle: true,
      });
      try {
        await s3Client.send(new CreateBucketCommand({ Bucket: 'provision-test' }));
        await s3Client.send(
          new PutObjectCommand({ Bucket: 'provision-test', Key: 'a b/ü.txt', Body: 'hello s3' }),
        );
        const got = await s3Client.send(new GetObjectCommand({ Bucket: 'provision-test', Key: 'a b/ü.txt' }));
        expect(await got.Body!.transformToString()).toBe('hello s3');
      } finally {
        s3Client.destroy();
      }

      const es = stores.endpoints.elasticsearch!.url;
      expect(stores.endpoints.elasticsearch!.serverVersion).toBe('Elasticsearch 9.2.4');
      const put = await fetch(`${es}/provision-test/_doc/1?refresh=true`, {
        method: 'PUT',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ title: 'round trip' }),
      });
      expect(put.status).toBe(201);
      const doc = (await (await fetch(`${es}/provision-test/_doc/1`)).json()) as {
        _source: { title: string };
      };
      expect(doc._source.title).toBe('round trip');
      const jvm = (await (await fetch(`${es}/_nodes/jvm`)).json()) as {
        nodes: Record<string, { jvm: { mem: { heap_max_in_bytes: number } } }>;
      };
      const heapMb = Object.values(jvm.nodes)[0]!.jvm.mem.heap_max_in_bytes / 2 ** 20;
      expect(heapMb).toBeGreaterThan(600); // -Xmx640m (the JVM may report a little less)
      expect(heapMb).toBeLessThanOrEqual(640);
      expect(stores.endpoints.elasticsearch!.notes).toContain('memory: heap 640 MiB (test sizes)');

      for (const endpoint of Object.values(stores.endpoints)) expect(endpoint.startMs).toBeGreaterThan(0);
      expect(stores.unexpectedExits()).toEqual({});
    } finally {
      await stores.stop();
    }
    expect(pids.filter(isAlive)).toEqual([]);
    expect(existsSync(runDir)).toBe(false);
    expect(readdirSync(tmpdir()).filter((name) => !tmpBefore.has(name) && /^final-flags/.test(name))).toEqual(
      [],
    );
    await stores.stop(); // idempotent
  }, 240_000);

  it('notices a server killed mid-run, and still stops cleanly', async () => {
    const lines: string[] = [];
    await using stores = await new LocalProvisioner().start({
      kinds: ['redis'],
      log: (line) => lines.push(line),
    });
    const pid = stores.pids.redis!;
    process.kill(pid, 'SIGKILL');
    expect(await waitUntil(() => stores.unexpectedExits().redis !== undefined, 5_000)).toBe(true);
    expect(stores.unexpectedExits()).toEqual({ redis: 'killed by SIGKILL' });
    expect(lines.some((line) => line.includes('redis: server exited unexpectedly (killed by SIGKILL)'))).toBe(
      true,
    );
    await stores.stop();
    expect(isAlive(pid)).toBe(false);
    expect(existsSync(stores.runDir)).toBe(false);
  });

  it('stops cleanly when asked to stop via the abort signal', async () => {
    const controller = new AbortController();
    const stores = await new LocalProvisioner().start({ kinds: ['redis'], signal: controller.signal });
    const pid = stores.pids.redis!;
    controller.abort();
    expect(await waitUntil(() => !isAlive(pid) && !existsSync(stores.runDir), 10_000)).toBe(true);
    expect(stores.unexpectedExits()).toEqual({});
  });

  it('kills postgres with SIGKILL and restarts it on the same port with the same data; ownership follows', async () => {
    const lines: string[] = [];
    const stores = await new LocalProvisioner().start({ kinds: ['postgres'], log: (l) => lines.push(l) });
    const owner = (): OwnerRecord =>
      JSON.parse(readFileSync(`${stores.runDir}/${OWNER_FILE}`, 'utf8')) as OwnerRecord;
    const url = stores.endpoints.postgres!.url;
    const query = async (sql: string) => {
      const client = new pg.Client({ connectionString: url, connectionTimeoutMillis: 2_000 });
      await client.connect();
      try {
        return (await client.query<{ v: string }>(sql)).rows;
      } finally {
        await client.end();
      }
    };
    const first = stores.pids.postgres!;
    let second: number | undefined;
    try {
      // The instance runs synchronous_commit=off (benchmark settings): a crash may lose the last ~200 ms of
      // commits. This one asks for a synchronous commit, so its WAL reaches the kernel before the kill.
      await query(
        "SET synchronous_commit = on; CREATE TABLE survives (v text); INSERT INTO survives VALUES ('before the crash')",
      );
      expect(owner().childPids).toEqual([first]);

      await stores.kill('postgres');
      expect(groupAlive(first)).toBe(false);
      await expect(query('SELECT 1 AS v')).rejects.toThrow();
      expect(stores.unexpectedExits()).toEqual({}); // asked for, so not unexpected

      await stores.restart('postgres');
      second = stores.pids.postgres!;
      expect(second).not.toBe(first);
      expect(stores.endpoints.postgres!.url).toBe(url);
      expect(await query('SELECT v FROM survives')).toEqual([{ v: 'before the crash' }]);
      expect(owner().childPids).toEqual([second]);

      await stores.restart('postgres'); // while running: a clean stop first, then the same again
      expect(await query('SELECT v FROM survives')).toEqual([{ v: 'before the crash' }]);
      expect(isAlive(second)).toBe(false);
      second = stores.pids.postgres!;
      expect(lines.some((l) => l.includes('postgres: killed on request (SIGKILL)'))).toBe(true);
      expect(lines.filter((l) => l.includes('postgres: restarted in'))).toHaveLength(2);
    } finally {
      await stores.stop();
    }
    expect([first, second].filter((pid) => pid !== undefined && isAlive(pid))).toEqual([]);
    expect(existsSync(stores.runDir)).toBe(false);
    await expect(stores.restart('postgres')).rejects.toThrow(/stopping/);
  }, 60_000);
});

// TLS to every store, the way a user configures it: `sslmode=verify-full`, `rediss://` and `https://`
// URLs with `sslrootcert=` naming a CA that openssl made for this test. PostgreSQL and Redis are servers
// of their own, started TLS-only by the local provisioner with that certificate; Elasticsearch and S3
// are the test run's servers behind a TLS terminator (the Elasticsearch archive served here has no
// security module, S3Proxy none configured). A whole `dalbench run` goes over TLS to all four; each
// store refuses a certificate from the wrong CA with an error that names the store and says why; a
// plaintext client is refused by PostgreSQL and Redis; bad TLS parameters fail before any round trip.
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { main } from '../../harness/cli/main.ts';
import { STORE_ENV } from '../../harness/provision/external-provisioner.ts';
import { LocalProvisioner, type LocalProvisionedStores } from '../../harness/provision/local-provisioner.ts';
import type { StoreKind } from '../../harness/provision/provisioner.ts';
import { parseResults } from '../../harness/report/results-io.ts';
import { RedisCacheStore } from '../../reference-dal/backends/redis/redis-cache-store.ts';
import { parseStorageConfigs } from '../../reference-dal/config/storage-config.ts';
import { pgConnection } from '../../reference-dal/sql/connection.ts';
import { captureIo } from '../support/capture-io.ts';
import { externalStoresEnv, quickRunArgs } from '../support/external-run.ts';
import { requireStore } from '../support/stores.ts';
import { makeTestPki, NAMED_HOST, type TestPki } from '../support/tls-certs.ts';
import { elasticsearchVersion } from '../../harness/provision/server-version.ts';
import { certificateProblem } from '../../reference-dal/config/tls.ts';
import { startTcpProxy, targetOf } from '../../harness/faults/tcp-proxy.ts';
import { startTlsTerminator, type TlsTerminator } from '../support/tls-terminator.ts';

/** An Elasticsearch API key in its encoded form; the plaintext test servers accept any. */
const API_KEY = Buffer.from(`tls-test-id:${Math.random().toString(36).slice(2)}`).toString('base64');

let pki: TestPki;
let stores: LocalProvisionedStores | undefined;
let esProxy: TlsTerminator | undefined;
let s3Proxy: TlsTerminator | undefined;
let scratch: string;
/** Each store's verified-TLS URL, trusting the test CA. */
let urls: Record<'postgres' | 'redis' | 'elasticsearch' | 's3', string>;

function endpointUrl(kind: 'postgres' | 'redis'): string {
  const url = stores?.endpoints[kind]?.url;
  if (!url) throw new Error(`the TLS ${kind} did not come up: ${stores?.unavailable[kind] ?? 'unknown'}`);
  return url;
}

/** `plain` (an http:// store URL) through the terminator on `port`, as https trusting the test CA. */
function httpsVia(plain: string, port: number, params: Readonly<Record<string, string>> = {}): string {
  const url = new URL(plain);
  url.protocol = 'https:';
  url.port = String(port);
  for (const [name, value] of Object.entries(params)) url.searchParams.set(name, value);
  url.searchParams.set('sslrootcert', pki.caFile);
  return url.toString();
}

/** `url` trusting `caFile` instead. */
const trusting = (url: string, caFile: string) => {
  const parsed = new URL(url);
  parsed.searchParams.set('sslrootcert', caFile);
  return parsed.toString();
};

/** `dalbench run --stores external` with `given` as the store URLs, in this process. */
async function runOver(given: Partial<Record<StoreKind, string>>, out: string) {
  const io = captureIo(externalStoresEnv(given));
  const code = await main(quickRunArgs(out), io);
  return { code, stdout: io.stdout, stderr: io.stderr };
}

beforeAll(async () => {
  pki = await makeTestPki();
  scratch = await mkdtemp(path.join(tmpdir(), 'dalbench-tls-'));
  stores = await new LocalProvisioner({ tls: pki }).start({ kinds: ['postgres', 'redis'] });
  esProxy = await startTlsTerminator(requireStore('elasticsearch').url, pki);
  s3Proxy = await startTlsTerminator(requireStore('s3').url, pki);
  urls = {
    postgres: endpointUrl('postgres'),
    redis: endpointUrl('redis'),
    elasticsearch: httpsVia(requireStore('elasticsearch').url, esProxy.port),
    s3: httpsVia(requireStore('s3').url, s3Proxy.port),
  };
}, 120_000);

afterAll(async () => {
  await s3Proxy?.[Symbol.asyncDispose]();
  await esProxy?.[Symbol.asyncDispose]();
  await stores?.stop();
  await rm(scratch, { recursive: true, force: true });
  await pki?.[Symbol.asyncDispose]();
});

describe('TLS to every store', () => {
  it('a dalbench run goes over verified TLS to PostgreSQL, Redis, Elasticsearch (with an API key) and S3', async () => {
    expect(urls.postgres).toContain('sslmode=verify-full');
    expect(urls.redis.startsWith('rediss://')).toBe(true);
    const out = path.join(scratch, 'run');
    const esWithKey = new URL(urls.elasticsearch);
    esWithKey.searchParams.set('api_key', API_KEY);
    const result = await runOver({ ...urls, elasticsearch: esWithKey.toString() }, out);
    expect(result.code, result.stderr).toBe(0);
    const results = parseResults(await readFile(path.join(out, 'results.json'), 'utf8'), 'results.json');
    const scenario = results.scenarios[0];
    expect(scenario?.status).toBe('completed');
    const ops = scenario?.operations ?? [];
    expect(ops.reduce((n, op) => n + op.count, 0)).toBeGreaterThan(0);
    expect(ops.flatMap((op) => Object.keys(op.errors))).toEqual([]);
    // The terminators saw the DAL's traffic: the search API with the key, the S3 API.
    expect(esProxy?.received()).toMatch(new RegExp(`authorization: ApiKey ${API_KEY}`, 'i'));
    expect(s3Proxy?.received()).toMatch(/^(PUT|GET|HEAD) \//m);
    // The key is a secret: never printed, never recorded.
    const written = await readFile(path.join(out, 'results.json'), 'utf8');
    for (const text of [result.stdout, result.stderr, written]) expect(text).not.toContain(API_KEY);
  }, 120_000);

  it('PostgreSQL: the session is encrypted, and a plaintext client is refused', async () => {
    const client = new pg.Client(pgConnection(urls.postgres));
    await client.connect();
    try {
      const row = (
        await client.query<{ ssl: boolean }>('SELECT ssl FROM pg_stat_ssl WHERE pid = pg_backend_pid()')
      ).rows[0];
      expect(row?.ssl).toBe(true);
    } finally {
      await client.end();
    }
    const plain = new URL(urls.postgres);
    plain.search = '';
    const refused = new pg.Client(pgConnection(plain.toString()));
    await expect(refused.connect()).rejects.toThrow(/no encryption/);
    await refused.end().catch(() => undefined);
  });

  it('Redis: the cache store works over rediss://, and a plaintext client gets no answer', async () => {
    const [config] = parseStorageConfigs([
      { type: 'cache', backend: 'redis', url: urls.redis, timeoutMs: 2_000 },
    ]);
    if (!config) throw new Error('no config');
    const store = await RedisCacheStore.open(config);
    try {
      await store.set('tls:probe', 'over tls', 10_000);
      expect(await store.get('tls:probe')).toBe('over tls');
    } finally {
      await store[Symbol.asyncDispose]();
    }
    const plain = new URL(urls.redis);
    plain.protocol = 'redis:';
    plain.search = '';
    const [plainConfig] = parseStorageConfigs([
      { type: 'cache', backend: 'redis', url: plain.toString(), timeoutMs: 1_000 },
    ]);
    if (!plainConfig) throw new Error('no config');
    await expect(RedisCacheStore.open(plainConfig)).rejects.toThrow(/redis/);
  });

  it('through a proxy, the certificate is checked against the name of the store (sslservername), not the address of the proxy', async () => {
    await using named = await startTlsTerminator(requireStore('elasticsearch').url, {
      certFile: pki.namedCertFile,
      keyFile: pki.namedKeyFile,
    });
    const viaAddress = httpsVia(requireStore('elasticsearch').url, named.port);
    const refused = await elasticsearchVersion(viaAddress).catch((error: unknown) => error);
    expect(certificateProblem(refused)).toMatch(
      /ERR_TLS_CERT_ALTNAME_INVALID|does not match certificate's altnames/,
    );
    const withName = new URL(viaAddress);
    withName.searchParams.set('sslservername', NAMED_HOST);
    expect(await elasticsearchVersion(withName.toString())).toMatch(/^Elasticsearch \d/);
    // The fault proxy records the store's name when it puts itself in front.
    const proxy = await startTcpProxy(targetOf(withName.toString()));
    try {
      const proxied = new URL(proxy.rewrite(viaAddress.replace('127.0.0.1', NAMED_HOST)));
      expect(proxied.hostname).toBe('127.0.0.1');
      expect(proxied.searchParams.get('sslservername')).toBe(NAMED_HOST);
      expect(await elasticsearchVersion(proxied.toString())).toMatch(/^Elasticsearch \d/);
    } finally {
      await proxy.close();
    }
  });

  it.each(['postgres', 'redis', 'elasticsearch', 's3'] as const)(
    '%s: a certificate from the wrong CA is refused, naming the store and the certificate',
    async (kind) => {
      const result = await runOver(
        { ...urls, [kind]: trusting(urls[kind], pki.wrongCaFile) },
        path.join(scratch, `wrong-${kind}`),
      );
      expect(result.code).not.toBe(0);
      expect(result.stderr).toContain(STORE_ENV[kind]);
      expect(result.stderr).toMatch(
        /TLS certificate was refused \((SELF_SIGNED_CERT_IN_CHAIN|UNABLE_TO_VERIFY_LEAF_SIGNATURE|unable to verify the first certificate)/,
      );
      expect(result.stderr).toContain('sslrootcert=FILE');
    },
    60_000,
  );

  it.each([
    [
      'postgres',
      (url: string) => url.replace('sslmode=verify-full', 'sslmode=prefer'),
      /sslmode: "prefer" is not supported/,
    ],
    [
      'postgres',
      (url: string) => trusting(url, '/nonexistent/ca.pem'),
      /sslrootcert: cannot read the CA file \/nonexistent\/ca.pem \(ENOENT\)/,
    ],
    [
      'redis',
      (url: string) => url.replace('rediss:', 'redis:'),
      /a CA file is given but the URL is redis:\/\/, not rediss:\/\//,
    ],
    ['elasticsearch', (url: string) => trusting(url, pki.keyFile), /holds no PEM certificate/],
    [
      's3',
      (url: string) => url.replace('https:', 'http:'),
      /a CA file is given but the URL is http:\/\/, not https:\/\//,
    ],
  ] as const)(
    '%s: bad TLS parameters fail before any round trip, with exit 2',
    async (kind, spoil, message) => {
      const result = await runOver({ ...urls, [kind]: spoil(urls[kind]) }, path.join(scratch, `bad-${kind}`));
      expect(result.code).toBe(2);
      expect(result.stderr).toContain(STORE_ENV[kind]);
      expect(result.stderr).toMatch(message);
    },
  );

  // Last, so it sees what every run above left: a connection still open when the server stops is
  // terminated by it, and a client without an error listener then crashes the process.
  it('leaves no PostgreSQL session open once the runs above have returned', async () => {
    const client = new pg.Client(pgConnection(urls.postgres));
    await client.connect();
    try {
      // A backend leaves pg_stat_activity a moment after its client's end() resolves: allow 2 s.
      let others: unknown[] = [];
      for (const deadline = Date.now() + 2_000; ;) {
        others = (
          await client.query<{ application_name: string; state: string }>(
            `SELECT application_name, state FROM pg_stat_activity
              WHERE backend_type = 'client backend' AND pid <> pg_backend_pid()`,
          )
        ).rows;
        if (others.length === 0 || Date.now() > deadline) break;
        await new Promise((resolve) => setTimeout(resolve, 100));
      }
      expect(others).toEqual([]);
    } finally {
      await client.end();
    }
  });
});

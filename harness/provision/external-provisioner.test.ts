// External mode: URLs from the environment, validated with errors naming the variable, asked their version
// with a real round trip (against the stores this test run started), never printing a password.
import { describe, expect, it } from 'vitest';
import { startTcpProxy, targetOf } from '../faults/tcp-proxy.ts';
import { requireStore, storeEndpoint } from '../../test/support/stores.ts';
import { ProvisionConfigError, ProvisionError } from './errors.ts';
import { ExternalProvisioner, externalUrl } from './external-provisioner.ts';
import { freePort } from './free-port.ts';
import { formatS3Url, parseS3Url } from './s3-url.ts';

describe('external provisioner: validation', () => {
  it.each([
    ['DALBENCH_REDIS_URL', 'not a url'],
    ['DALBENCH_REDIS_URL', 'http://127.0.0.1:6379'],
    ['DALBENCH_POSTGRES_URL', 'mysql://u:p@host/db'],
    ['DALBENCH_ELASTICSEARCH_URL', 'ftp://host'],
    ['DALBENCH_S3_URL', 'http://127.0.0.1:9000'],
  ])('rejects %s=%s naming the variable, before any round trip', async (variable, value) => {
    const provisioner = new ExternalProvisioner({ [variable]: value });
    const attempt = provisioner.start({ kinds: ['postgres', 'redis', 'elasticsearch', 's3'] });
    await expect(attempt).rejects.toThrow(ProvisionConfigError);
    await expect(attempt).rejects.toThrow(new RegExp(`^${variable}:`));
  });

  it('never puts a password into an error message', () => {
    const secret = 'hunter2-very-secret';
    expect(() =>
      externalUrl('postgres', { DALBENCH_POSTGRES_URL: `http://admin:${secret}@db:5432/x` }),
    ).toThrow(/DALBENCH_POSTGRES_URL/);
    try {
      externalUrl('postgres', { DALBENCH_POSTGRES_URL: `http://admin:${secret}@db:5432/x` });
    } catch (error) {
      expect((error as Error).message).not.toContain(secret);
    }
  });

  it('builds the S3 URL from endpoint + key variables and names the missing one', () => {
    expect(() =>
      externalUrl('s3', { DALBENCH_S3_ENDPOINT: 'http://127.0.0.1:9000', DALBENCH_S3_ACCESS_KEY_ID: 'a' }),
    ).toThrow(/^DALBENCH_S3_SECRET_ACCESS_KEY:/);
    const built = externalUrl('s3', {
      DALBENCH_S3_ENDPOINT: 'https://s3.example.com',
      DALBENCH_S3_ACCESS_KEY_ID: 'AK/IA',
      DALBENCH_S3_SECRET_ACCESS_KEY: 's3cr:et@+/',
      DALBENCH_S3_REGION: 'eu-west-1',
    });
    expect(parseS3Url(built!.url)).toEqual({
      endpoint: 'https://s3.example.com',
      accessKeyId: 'AK/IA',
      secretAccessKey: 's3cr:et@+/',
      region: 'eu-west-1',
    });
  });

  it('round-trips any credentials through the one-URL S3 form', () => {
    const s3 = {
      endpoint: 'http://127.0.0.1:8080',
      accessKeyId: 'a b:c',
      secretAccessKey: '%/@:?#x',
      region: 'us-east-1',
    };
    expect(parseS3Url(formatS3Url(s3))).toEqual(s3);
  });

  it('reports unset stores as unavailable with the variable to set', async () => {
    const stores = await new ExternalProvisioner({}).start({ kinds: ['timescaledb', 's3'] });
    expect(stores.endpoints).toEqual({});
    expect(stores.unavailable.timescaledb).toBe('DALBENCH_TIMESCALE_URL not set');
    expect(stores.unavailable.s3).toMatch(/DALBENCH_S3_URL not set/);
  });
});

describe('external provisioner: real round trips', () => {
  it('asks each reachable server its version', async () => {
    const env: NodeJS.ProcessEnv = {
      DALBENCH_POSTGRES_URL: requireStore('postgres').url,
      DALBENCH_REDIS_URL: requireStore('redis').url,
    };
    const es = storeEndpoint('elasticsearch');
    if (es) env['DALBENCH_ELASTICSEARCH_URL'] = es.url;
    const s3 = storeEndpoint('s3');
    if (s3) env['DALBENCH_S3_URL'] = s3.url;
    await using stores = await new ExternalProvisioner(env).start({
      kinds: ['postgres', 'redis', 'elasticsearch', 's3'],
    });
    expect(stores.endpoints.postgres?.serverVersion).toMatch(/^PostgreSQL \d+/);
    expect(stores.endpoints.redis?.serverVersion).toMatch(/^Redis \d+/);
    if (es) expect(stores.endpoints.elasticsearch?.serverVersion).toMatch(/^Elasticsearch \d+/);
    if (s3) expect(stores.endpoints.s3?.serverVersion).toMatch(/^S3/);
    expect(stores.endpoints.postgres?.mode).toBe('external');
  });

  it('fails naming the variable when a set URL does not answer', async () => {
    const port = await freePort();
    const attempt = new ExternalProvisioner({ DALBENCH_REDIS_URL: `redis://127.0.0.1:${port}` }).start({
      kinds: ['redis'],
    });
    await expect(attempt).rejects.toThrow(ProvisionError);
    await expect(attempt).rejects.toThrow(/DALBENCH_REDIS_URL=redis:\/\/127\.0\.0\.1:\d+\/? did not answer/);
  });

  it('returns only once every probe is done: no connection to a store that answered stays open', async () => {
    // PostgreSQL behind a slow link answers after seconds; Redis and S3 refuse at once.
    await using slow = await startTcpProxy(targetOf(requireStore('postgres').url));
    slow.delay({ delayMs: 250 });
    const logged: string[] = [];
    const attempt = new ExternalProvisioner({
      DALBENCH_POSTGRES_URL: slow.rewrite(requireStore('postgres').url),
      DALBENCH_REDIS_URL: `redis://127.0.0.1:${await freePort()}`,
      DALBENCH_S3_URL: `http://key:secret@127.0.0.1:${await freePort()}/?region=us-east-1`,
    }).start({ kinds: ['redis', 'postgres', 's3'], log: (line) => logged.push(line) });
    await expect(attempt).rejects.toThrow(
      /^provisioner: external mode: 2 stores failed:\n {2}redis: DALBENCH_REDIS_URL=.* did not answer\n {2}s3: DALBENCH_S3_URL=http:\/\/key:\*\*\*@/,
    );
    expect(logged.join('\n')).toMatch(/postgres: PostgreSQL \d/);
    // The probe's socket closes a moment after its end() resolves; a probe still running would hold
    // it for seconds (a round trip is 500 ms through this proxy).
    for (const deadline = Date.now() + 400; slow.open > 0 && Date.now() < deadline;)
      await new Promise((resolve) => setTimeout(resolve, 10));
    expect(slow.open).toBe(0);
  });
});

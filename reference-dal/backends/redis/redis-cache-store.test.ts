// RedisCacheStore against the real Redis of the test run; keys under a unique prefix.
import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { StoreError, ValidationError } from '../../errors.ts';
import { parseStorageConfigs } from '../../config/storage-config.ts';
import { freePort } from '../../../harness/provision/free-port.ts';
import { requireStore } from '../../../test/support/stores.ts';
import { RedisCacheStore } from './redis-cache-store.ts';

function config(url: string, extra: Record<string, unknown> = {}) {
  const [parsed] = parseStorageConfigs([
    { type: 'cache', backend: 'redis', url, timeoutMs: 2_000, ...extra },
  ]);
  if (!parsed) throw new Error('no config');
  return parsed;
}

describe('RedisCacheStore', () => {
  const prefix = `dalbench-test:store-${randomBytes(4).toString('hex')}`;

  it('gets, sets with a PX TTL, MGETs, UNLINKs and SCANs by pattern', async () => {
    await using store = await RedisCacheStore.open(config(requireStore('redis').url));
    await store.set(`${prefix}:a`, '1');
    await store.set(`${prefix}:b`, '2', 60_000);
    await store.set(`${prefix}:short`, '3', 30);
    expect(await store.mget([`${prefix}:a`, `${prefix}:missing`, `${prefix}:b`])).toEqual(['1', null, '2']);
    expect(await store.mget([])).toEqual([]);
    await new Promise((resolve) => setTimeout(resolve, 80));
    expect(await store.get(`${prefix}:short`)).toBeNull();
    const seen = new Set<string>();
    for await (const batch of store.scan(`${prefix}:*`, 1)) for (const key of batch) seen.add(key);
    expect([...seen].sort()).toEqual([`${prefix}:a`, `${prefix}:b`]);
    expect(await store.del([`${prefix}:a`, `${prefix}:b`, `${prefix}:missing`])).toBe(2);
    expect(await store.del([])).toBe(0);
    await store.ping();
    const stats = await store.serverStats();
    expect(stats.keyspaceHits).toBeGreaterThan(0);
    expect(stats.keyspaceMisses).toBeGreaterThan(0);
  });

  it('fails fast with a StoreError naming redis and the redacted URL when the server is down', async () => {
    const url = `redis://:hunter2@127.0.0.1:${await freePort()}`;
    const started = performance.now();
    const error = await RedisCacheStore.open(config(url)).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(StoreError);
    expect((error as StoreError).message).toMatch(
      /^redis at redis:\/\/:\*\*\*@127\.0\.0\.1:\d+.*could not connect/,
    );
    expect((error as StoreError).message).not.toContain('hunter2');
    expect((error as StoreError).cause).toBeDefined();

    await using offline = await RedisCacheStore.open(config(url), { waitForConnection: false });
    const t0 = performance.now();
    await expect(offline.get('k')).rejects.toThrow(/GET failed/);
    // No offline queue: the command fails at once instead of waiting for a reconnect.
    expect(performance.now() - t0).toBeLessThan(100);
    expect(performance.now() - started).toBeLessThan(2_500);
  });

  it('refuses a config of another type or with unknown options, naming the field', async () => {
    const [timeseries] = parseStorageConfigs([
      { type: 'timeseries', backend: 'postgres', url: 'postgres://x@h/db' },
    ]);
    await expect(RedisCacheStore.open(timeseries!)).rejects.toBeInstanceOf(ValidationError);
    await expect(
      RedisCacheStore.open(config('redis://127.0.0.1:1', { options: { autoPipeline: true } })),
    ).rejects.toThrow(/cache config options/);
  });
});

// RedisAtomicWrites against the real Redis of the test run: the three outcomes of replaceIfEqual,
// what open refuses, how a failed command or connection is reported, and close (idempotent, lets
// a command already sent finish, then refuses). Unreachable Redis = a port nobody listens on.
import { randomBytes } from 'node:crypto';
import { Redis } from 'ioredis';
import { describe, expect, it, vi } from 'vitest';
import { freePort } from '../../harness/provision/free-port.ts';
import { startTcpProxy, targetOf } from '../../harness/faults/tcp-proxy.ts';
import { requireStore } from '../../test/support/stores.ts';
import type { StorageConfig } from '../config/storage-config.ts';
import { parseStorageConfigs } from '../config/storage-config.ts';
import { StoreError, StoreTimeoutError, ValidationError } from '../errors.ts';
import { RedisAtomicWrites } from './redis-atomic-writes.ts';

function redisConfig(url = requireStore('redis').url, timeoutMs = 2_000): StorageConfig {
  const [config] = parseStorageConfigs([{ type: 'cache', backend: 'redis', url, timeoutMs }]);
  if (!config) throw new Error('no config');
  return config;
}

/** A unique key prefix and a plain admin connection that reads keys and removes them afterwards. */
async function scratch(): Promise<{ key: (name: string) => string; redis: Redis } & AsyncDisposable> {
  const prefix = `dalbench-test:atomic-${randomBytes(4).toString('hex')}`;
  const redis = new Redis(requireStore('redis').url, { lazyConnect: true });
  await redis.connect();
  const used = new Set<string>();
  return {
    key: (name) => {
      const key = `${prefix}:${name}`;
      used.add(key);
      return key;
    },
    redis,
    async [Symbol.asyncDispose]() {
      if (used.size > 0) await redis.unlink(...used);
      await redis.quit();
    },
  };
}

async function rejection(promise: Promise<unknown>): Promise<Error> {
  try {
    await promise;
  } catch (error) {
    return error as Error;
  }
  throw new Error('expected a rejection, the promise resolved');
}

describe('RedisAtomicWrites', () => {
  it('setIfAbsent writes only a missing key, with its TTL', async () => {
    await using s = await scratch();
    await using writes = await RedisAtomicWrites.open(redisConfig());
    const key = s.key('a');
    expect(await writes.setIfAbsent(key, 'one', 60_000)).toBe(true);
    expect(await writes.setIfAbsent(key, 'two', 60_000)).toBe(false);
    expect(await s.redis.get(key)).toBe('one');
    const ttl = await s.redis.pttl(key);
    expect(ttl).toBeGreaterThan(0);
    expect(ttl).toBeLessThanOrEqual(60_000);
  });

  it('replaceIfEqual answers replaced, other-value or missing, and writes only when replaced', async () => {
    await using s = await scratch();
    await using writes = await RedisAtomicWrites.open(redisConfig());
    const key = s.key('b');
    expect(await writes.replaceIfEqual(key, 'lease', 'value', 60_000)).toBe('missing');
    expect(await s.redis.exists(key)).toBe(0);
    await s.redis.set(key, 'someone else');
    expect(await writes.replaceIfEqual(key, 'lease', 'value', 60_000)).toBe('other-value');
    expect(await s.redis.get(key)).toBe('someone else');
    await s.redis.set(key, 'lease');
    expect(await writes.replaceIfEqual(key, 'lease', 'value', 30_000)).toBe('replaced');
    expect(await s.redis.get(key)).toBe('value');
    const ttl = await s.redis.pttl(key);
    expect(ttl).toBeGreaterThan(0);
    expect(ttl).toBeLessThanOrEqual(30_000);
  });

  it('refuses a config that is not a Redis cache, naming what it got', async () => {
    const redis = redisConfig();
    for (const [type, backend] of [
      ['cache', 'memcached'],
      ['timeseries', 'redis'],
      ['documents', 'postgres'],
    ] as const) {
      const error = await rejection(
        RedisAtomicWrites.open({ ...redis, type, backend } as unknown as StorageConfig),
      );
      expect(error).toBeInstanceOf(ValidationError);
      expect(error.message).toBe(
        `storage config: RedisAtomicWrites needs type "cache" and backend "redis", got "${type}"/"${backend}"`,
      );
    }
  });

  it('reports a Redis it cannot reach as a StoreError naming the URL without its password', async () => {
    const url = `redis://:secret@127.0.0.1:${await freePort()}`;
    const printed = vi.spyOn(console, 'error');
    const error = await rejection(RedisAtomicWrites.open(redisConfig(url, 500)));
    // Said once, in the error: ioredis prints each refused attempt when no 'error' listener is attached.
    expect(printed.mock.calls.flat().join(' ')).not.toContain('[ioredis]');
    printed.mockRestore();
    expect(error).toBeInstanceOf(StoreError);
    expect(error).toMatchObject({ store: 'redis', url: expect.stringContaining('127.0.0.1') as unknown });
    expect(error.message).toMatch(
      /^redis at redis:\/\/:\*\*\*@127\.0\.0\.1:\d+\/?: could not connect for conditional writes \(check the URL\)$/,
    );
    expect(error.message).not.toContain('secret');
    expect(error.cause).toBeInstanceOf(Error);
  });

  it('lets a command already sent finish on close, then refuses commands, naming each', async () => {
    await using s = await scratch();
    const writes = await RedisAtomicWrites.open(redisConfig());
    const key = s.key('c');
    const sent = writes.setIfAbsent(key, 'v', 60_000);
    await writes.close();
    expect(await sent).toBe(true);
    await writes.close(); // idempotent
    const set = await rejection(writes.setIfAbsent(key, 'w', 60_000));
    expect(set).toBeInstanceOf(StoreError);
    expect(set).not.toBeInstanceOf(StoreTimeoutError);
    expect(set.message).toMatch(/^redis at redis:\/\/127\.0\.0\.1:\d+\/?: SET NX failed: \S/);
    expect(set.cause).toBeInstanceOf(Error);
    expect(set.message).toContain((set.cause as Error).message);
    const replace = await rejection(writes.replaceIfEqual(key, 'v', 'w', 60_000));
    expect(replace).toBeInstanceOf(StoreError);
    expect(replace.message).toMatch(/: EVAL \(replace if equal\) failed: \S/);
    expect(replace.cause).toBeInstanceOf(Error);
    expect(await s.redis.get(key)).toBe('v');
  });

  it('names the cache URL when its TLS parameters are wrong', async () => {
    const url = `rediss://127.0.0.1:${await freePort()}/?sslrootcert=/nonexistent/dalbench-ca.pem`;
    const error = await rejection(RedisAtomicWrites.open(redisConfig(url, 500)));
    expect(error).toBeInstanceOf(ValidationError);
    expect(error.message).toMatch(/^cache URL sslrootcert/);
  });

  it('through a network cut: commands fail at once, nothing escapes as an error event, and it reconnects soon after the repair', async () => {
    await using s = await scratch();
    await using proxy = await startTcpProxy(targetOf(requireStore('redis').url));
    await using writes = await RedisAtomicWrites.open(redisConfig(proxy.rewrite(requireStore('redis').url)));
    const key = s.key('cut');
    const printed = vi.spyOn(console, 'error');
    proxy.cut();
    // Reconnects are refused meanwhile: ioredis prints each to stderr unless an 'error' listener is attached.
    // After the first reconnect attempt (100 ms); an offline queue would hold a command until the third.
    await new Promise((resolve) => setTimeout(resolve, 150));
    const started = performance.now();
    const refused = await rejection(writes.setIfAbsent(key, 'v', 60_000));
    expect(refused).toBeInstanceOf(StoreError);
    // No offline queue: refused at once, not queued until the reconnect attempts run out (~0.6 s).
    expect(performance.now() - started).toBeLessThan(100);
    proxy.restore();
    const repaired = performance.now();
    let written = false;
    while (!written && performance.now() - repaired < 5_000) {
      written = await writes.setIfAbsent(key, 'v', 60_000).catch(() => false);
      if (!written) await new Promise((resolve) => setTimeout(resolve, 20));
    }
    expect(written).toBe(true);
    // Backoff 100, 200, 400 ms … (at most 2 s): the attempt after a 150 ms cut comes within ~0.2 s.
    expect(performance.now() - repaired).toBeLessThan(1_000);
    expect(await s.redis.get(key)).toBe('v');
    expect(printed.mock.calls.flat().join(' ')).not.toContain('[ioredis]');
    printed.mockRestore();
  });

  it('closes when disposed', async () => {
    let outside: RedisAtomicWrites | undefined;
    {
      await using writes = await RedisAtomicWrites.open(redisConfig());
      outside = writes;
    }
    await expect(outside.setIfAbsent('dalbench-test:atomic-disposed', 'v', 1_000)).rejects.toBeInstanceOf(
      StoreError,
    );
  });
});

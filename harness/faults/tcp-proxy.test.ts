// The fault proxy against a real store: traffic flows, a cut fails requests fast and counts them,
// a restore brings the same client back.
import { Redis } from 'ioredis';
import { describe, expect, it } from 'vitest';
import { requireStore } from '../../test/support/stores.ts';
import { startTcpProxy, targetOf } from './tcp-proxy.ts';

describe('tcp fault proxy', () => {
  it('forwards, cuts and restores a real Redis connection', async () => {
    const url = requireStore('redis').url;
    await using proxy = await startTcpProxy(targetOf(url));
    const client = new Redis(proxy.rewrite(url), {
      enableOfflineQueue: false,
      maxRetriesPerRequest: 0,
      retryStrategy: () => 20,
      lazyConnect: true,
    });
    try {
      await client.connect();
      await client.set('dalbench:proxy-test', 'through the proxy');
      expect(await client.get('dalbench:proxy-test')).toBe('through the proxy');

      proxy.cut();
      expect(proxy.isCut).toBe(true);
      await expect(client.get('dalbench:proxy-test')).rejects.toThrow();
      expect(proxy.refused).toBeGreaterThan(0);

      proxy.restore();
      const deadline = Date.now() + 5_000;
      let value: string | null = null;
      while (Date.now() < deadline) {
        value = await client.get('dalbench:proxy-test').catch(() => null);
        if (value !== null) break;
        await new Promise((resolve) => setTimeout(resolve, 50));
      }
      expect(value).toBe('through the proxy');
      await client.del('dalbench:proxy-test');
    } finally {
      client.disconnect();
    }
  });

  it('rewrites a URL but keeps credentials, path and query', async () => {
    await using proxy = await startTcpProxy({ host: '127.0.0.1', port: 9 });
    const rewritten = new URL(proxy.rewrite('http://key:secret@127.0.0.1:9000/bucket?region=us-east-1'));
    expect(rewritten.port).toBe(String(proxy.port));
    expect(rewritten.username).toBe('key');
    expect(rewritten.password).toBe('secret');
    expect(rewritten.pathname).toBe('/bucket');
    expect(rewritten.searchParams.get('region')).toBe('us-east-1');
    expect(() => targetOf('ftp://example')).toThrow(/port/);
  });
});

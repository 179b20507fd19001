// Health probes are bounded by their own timeout: a server that accepts a connection and never
// answers (a real TCP black hole) reports a timeout while a healthy store answers at once.
import { createServer, type Socket } from 'node:net';
import pg from 'pg';
import { describe, expect, it } from 'vitest';
import { requireStore } from '../../test/support/stores.ts';
import { checkAll } from './health.ts';

async function blackHole(): Promise<AsyncDisposable & { port: number }> {
  const sockets = new Set<Socket>();
  const server = createServer((socket) => sockets.add(socket));
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  if (address === null || typeof address === 'string') throw new Error('no port');
  return {
    port: address.port,
    async [Symbol.asyncDispose]() {
      for (const socket of sockets) socket.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

describe('healthCheck probes', () => {
  it('time out a hung store without holding back a healthy one', async () => {
    await using hole = await blackHole();
    const hung = new pg.Client({ host: '127.0.0.1', port: hole.port, user: 'x', database: 'x' });
    hung.on('error', () => undefined);
    const healthy = new pg.Pool({ connectionString: requireStore('postgres').url, max: 1 });
    try {
      const started = performance.now();
      const report = await checkAll([
        {
          type: 'timeseries',
          store: 'timescaledb',
          timeoutMs: 300,
          ping: async () => {
            await hung.connect();
          },
        },
        {
          type: 'transactional',
          store: 'postgres',
          timeoutMs: 5000,
          ping: async () => {
            await healthy.query('SELECT 1');
          },
        },
      ]);
      const elapsed = performance.now() - started;
      expect(report.timeseries).toMatchObject({ ok: false, error: 'no answer within 300 ms' });
      expect(report.timeseries?.latencyMs).toBeGreaterThanOrEqual(290);
      expect(report.transactional).toMatchObject({ ok: true });
      expect(report.transactional?.latencyMs).toBeLessThan(300);
      expect(elapsed).toBeLessThan(2000);
    } finally {
      // The hung client never connected; destroying the black hole's sockets ends its attempt.
      await healthy.end();
    }
  });
});

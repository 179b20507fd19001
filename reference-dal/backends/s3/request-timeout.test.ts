// A store that accepts a connection and never answers must not hold a DAL call forever: the S3
// client's requestTimeout is the config's timeoutMs, and it must abort the request (smithy's
// handler only logs a warning unless told to throw). The endpoint is a listening socket that never
// replies — the network failure under test, not a stand-in for S3.
import net from 'node:net';
import { describe, expect, it } from 'vitest';
import { parseStorageConfigs } from '../../config/storage-config.ts';
import { S3ObjectRepository } from './object-repository.ts';

describe('S3ObjectRepository against a server that never answers', () => {
  it('fails the call after timeoutMs instead of waiting forever', async () => {
    const sockets = new Set<net.Socket>();
    const server = net.createServer((socket) => {
      sockets.add(socket);
      socket.on('error', () => undefined);
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const { port } = server.address() as net.AddressInfo;
    const [config] = parseStorageConfigs([
      {
        type: 'object',
        backend: 's3',
        url: `http://key:secret@127.0.0.1:${port}/?region=us-east-1`,
        timeoutMs: 800,
        retryAttempts: 0,
        options: { bucket: 'never-answers' },
      },
    ]);
    const repository = new S3ObjectRepository(config!);
    try {
      const started = performance.now();
      const outcome = await Promise.race([
        repository.get('k').then(
          () => 'answered',
          (error: unknown) => error,
        ),
        new Promise((resolve) => setTimeout(() => resolve('still waiting after 10 s'), 10_000)),
      ]);
      expect(outcome).toBeInstanceOf(Error);
      expect(String(outcome)).toMatch(/s3.*(timeout|exceeded)/i);
      expect(performance.now() - started).toBeLessThan(8_000);
    } finally {
      await repository.close();
      for (const socket of sockets) socket.destroy();
      await new Promise((resolve) => server.close(resolve));
    }
  }, 20_000);
});

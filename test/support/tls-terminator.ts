// A TLS terminator in front of a real plaintext server (the Elasticsearch and S3Proxy the tests run
// have no TLS of their own): clients get a real handshake with the test certificate, the store behind
// answers. It keeps the start of what clients sent, decrypted, so a test can see a header arrive.
import { once } from 'node:events';
import { readFileSync } from 'node:fs';
import { connect, type Socket } from 'node:net';
import { createServer, type TLSSocket } from 'node:tls';

export interface TlsTerminator extends AsyncDisposable {
  readonly port: number;
  /** Up to 1 MiB of what clients sent, decrypted. */
  received(): string;
}

const KEEP_BYTES = 1024 * 1024;

export async function startTlsTerminator(
  target: string,
  files: { readonly certFile: string; readonly keyFile: string },
): Promise<TlsTerminator> {
  const { hostname, port } = new URL(target);
  const sockets = new Set<Socket | TLSSocket>();
  let received = '';
  const server = createServer(
    { cert: readFileSync(files.certFile), key: readFileSync(files.keyFile) },
    (client) => {
      const upstream = connect(Number(port), hostname);
      for (const socket of [client, upstream]) {
        sockets.add(socket);
        socket.on('close', () => sockets.delete(socket));
        socket.on('error', () => {
          client.destroy();
          upstream.destroy();
        });
      }
      client.on('data', (chunk: Buffer) => {
        if (received.length < KEEP_BYTES) received += chunk.toString('latin1');
      });
      client.pipe(upstream).pipe(client);
    },
  );
  // A client that refuses the certificate ends the handshake: not an error of the terminator.
  server.on('tlsClientError', () => undefined);
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const address = server.address();
  if (address === null || typeof address === 'string') throw new Error('TLS terminator has no port');
  return {
    port: address.port,
    received: () => received,
    [Symbol.asyncDispose]: async () => {
      for (const socket of sockets) socket.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

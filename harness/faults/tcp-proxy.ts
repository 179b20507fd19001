// A loopback TCP proxy in front of a real store, used to inject a store outage without touching the
// store itself (as toxiproxy does): `cut()` destroys every open connection and refuses new ones
// until `restore()`. The DAL keeps its real client; only the network path fails.
import net from 'node:net';

export interface TcpProxy extends AsyncDisposable {
  /** host:port clients connect to. */
  readonly port: number;
  readonly host: string;
  /** Rewrite a store URL so it goes through the proxy (keeps scheme, credentials, path, query). */
  rewrite(url: string): string;
  cut(): void;
  restore(): void;
  readonly isCut: boolean;
  /** Connections refused or destroyed because the proxy was cut. */
  readonly refused: number;
  close(): Promise<void>;
}

export async function startTcpProxy(target: { host: string; port: number }): Promise<TcpProxy> {
  const sockets = new Set<net.Socket>();
  let cut = false;
  let refused = 0;
  const server = net.createServer((client) => {
    if (cut) {
      refused++;
      client.destroy();
      return;
    }
    const upstream = net.connect(target.port, target.host);
    sockets.add(client).add(upstream);
    const forget = () => {
      sockets.delete(client);
      sockets.delete(upstream);
    };
    client.on('error', () => upstream.destroy());
    upstream.on('error', () => client.destroy());
    client.on('close', () => {
      upstream.destroy();
      forget();
    });
    upstream.on('close', () => {
      client.destroy();
      forget();
    });
    client.pipe(upstream);
    upstream.pipe(client);
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  const address = server.address();
  if (address === null || typeof address === 'string') throw new Error('tcp proxy: no port');
  const port = address.port;
  let closed: Promise<void> | undefined;
  const proxy: TcpProxy = {
    port,
    host: '127.0.0.1',
    rewrite(url) {
      const parsed = new URL(url);
      parsed.hostname = '127.0.0.1';
      parsed.port = String(port);
      return parsed.toString();
    },
    cut() {
      cut = true;
      for (const socket of sockets) {
        refused++;
        socket.destroy();
      }
      sockets.clear();
    },
    restore() {
      cut = false;
    },
    get isCut() {
      return cut;
    },
    get refused() {
      return refused;
    },
    close() {
      closed ??= new Promise<void>((resolve) => {
        for (const socket of sockets) socket.destroy();
        sockets.clear();
        server.close(() => resolve());
      });
      return closed;
    },
    [Symbol.asyncDispose]() {
      return proxy.close();
    },
  };
  return proxy;
}

/** The host and port a store URL points at (default ports per scheme). */
export function targetOf(url: string): { host: string; port: number } {
  const parsed = new URL(url);
  const defaults: Record<string, number> = {
    'postgres:': 5432,
    'postgresql:': 5432,
    'redis:': 6379,
    'http:': 80,
    'https:': 443,
  };
  const port = parsed.port ? Number(parsed.port) : defaults[parsed.protocol];
  if (!port) throw new Error(`cannot tell the port of ${parsed.protocol} URL ${parsed.host}`);
  return { host: parsed.hostname, port };
}

// A loopback TCP proxy in front of a real store, used to inject network faults without touching the
// store itself (as toxiproxy does). The DAL keeps its real client; only the network path fails:
// - `cut()` destroys every open connection and refuses new ones until `restore()`;
// - `drop()` resets (RST) every connection in flight; `drop({ untilRestore: true })` also resets each
//   new connection as soon as it sends anything, until `restore()`;
// - `delay({ delayMs, jitterMs })` holds every chunk, each way, that long (order kept);
// - `throttle(bytesPerSecond)` paces each direction of each connection to that rate.
// `restore()` ends every fault at once.
import net from 'node:net';
import { Rng } from '../workload/random.ts';

export interface DelayFault {
  readonly delayMs: number;
  /** Each chunk's delay is delayMs ± up to jitterMs (uniform), never below 0. */
  readonly jitterMs?: number;
}

export interface TcpProxyOptions {
  /** Source of jitter in [0, 1); default a generator seeded with 1 (replayable). */
  readonly random?: () => number;
}

export interface TcpProxy extends AsyncDisposable {
  /** host:port clients connect to. */
  readonly port: number;
  readonly host: string;
  /** Rewrite a store URL so it goes through the proxy (keeps scheme, credentials, path, query). */
  rewrite(url: string): string;
  cut(): void;
  drop(options?: { readonly untilRestore?: boolean }): void;
  delay(fault: DelayFault): void;
  throttle(bytesPerSecond: number): void;
  /** End every fault: accept and forward again at full speed. */
  restore(): void;
  readonly isCut: boolean;
  /** Connections refused or destroyed because the proxy was cut. */
  readonly refused: number;
  /** Connections reset by drop(). */
  readonly dropped: number;
  /** Connections open through the proxy now. */
  readonly open: number;
  close(): Promise<void>;
}

/** What shapes forwarded bytes now; read per chunk, so a change applies to connections already open. */
interface Shaping {
  delay: DelayFault | undefined;
  bytesPerSecond: number | undefined;
}

/** At most this many bytes wait in a shaped pipe before the sender is paused (backpressure). */
const MAX_HELD_BYTES = 1 << 20;

export async function startTcpProxy(
  target: { host: string; port: number },
  options: TcpProxyOptions = {},
): Promise<TcpProxy> {
  const random =
    options.random ??
    (
      (rng: Rng) => () =>
        rng.next()
    )(new Rng(1));
  const pairs = new Set<Pair>();
  let cut = false;
  let dropping = false;
  let refused = 0;
  let dropped = 0;
  const shaping: Shaping = { delay: undefined, bytesPerSecond: undefined };

  const server = net.createServer((client) => {
    if (cut) {
      refused++;
      client.destroy();
      return;
    }
    if (dropping) {
      // Accepted, then reset at its first bytes: the client sees ECONNRESET mid-request, not a refusal.
      client.once('data', () => {
        dropped++;
        client.resetAndDestroy();
      });
      client.on('error', () => undefined);
      return;
    }
    const upstream = net.connect(target.port, target.host);
    const pair: Pair = { client, upstream, timers: new Set() };
    pairs.add(pair);
    const close = () => {
      pairs.delete(pair);
      for (const timer of pair.timers) clearTimeout(timer);
      pair.timers.clear();
      client.destroy();
      upstream.destroy();
    };
    client.on('error', close);
    upstream.on('error', close);
    client.on('close', close);
    upstream.on('close', close);
    pump(client, upstream, pair, shaping, random);
    pump(upstream, client, pair, shaping, random);
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  const address = server.address();
  if (address === null || typeof address === 'string') throw new Error('tcp proxy: no port');
  const port = address.port;
  let closed: Promise<void> | undefined;
  const destroyAll = (reset: boolean) => {
    for (const { client, upstream, timers } of pairs) {
      for (const timer of timers) clearTimeout(timer);
      if (reset) {
        client.resetAndDestroy();
        upstream.resetAndDestroy();
      } else {
        client.destroy();
        upstream.destroy();
      }
    }
    const count = pairs.size;
    pairs.clear();
    return count;
  };
  const proxy: TcpProxy = {
    port,
    host: '127.0.0.1',
    rewrite(url) {
      const parsed = new URL(url);
      // A TLS client checks the store's certificate against the store's name, not the proxy's
      // address (config/tls.ts reads sslservername; plaintext URLs ignore it).
      if (parsed.hostname !== '127.0.0.1' && !parsed.searchParams.has('sslservername'))
        parsed.searchParams.set('sslservername', parsed.hostname.replace(/^\[|\]$/g, ''));
      parsed.hostname = '127.0.0.1';
      parsed.port = String(port);
      return parsed.toString();
    },
    cut() {
      cut = true;
      refused += destroyAll(false);
    },
    drop(dropOptions = {}) {
      dropped += destroyAll(true);
      if (dropOptions.untilRestore) dropping = true;
    },
    delay(fault) {
      if (!(fault.delayMs >= 0) || !((fault.jitterMs ?? 0) >= 0))
        throw new RangeError(
          `tcp proxy delay: delayMs and jitterMs must be ≥ 0, got ${fault.delayMs}, ${fault.jitterMs}`,
        );
      shaping.delay = { delayMs: fault.delayMs, jitterMs: fault.jitterMs ?? 0 };
    },
    throttle(bytesPerSecond) {
      if (!(bytesPerSecond > 0))
        throw new RangeError(`tcp proxy throttle: bytesPerSecond must be > 0, got ${bytesPerSecond}`);
      shaping.bytesPerSecond = bytesPerSecond;
    },
    restore() {
      cut = false;
      dropping = false;
      shaping.delay = undefined;
      shaping.bytesPerSecond = undefined;
    },
    get isCut() {
      return cut;
    },
    get refused() {
      return refused;
    },
    get dropped() {
      return dropped;
    },
    get open() {
      return pairs.size;
    },
    close() {
      closed ??= new Promise<void>((resolve) => {
        destroyAll(false);
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

interface Pair {
  readonly client: net.Socket;
  readonly upstream: net.Socket;
  /** Chunks held back by delay/throttle, cleared when the pair closes. */
  readonly timers: Set<NodeJS.Timeout>;
}

/**
 * Forward `from` → `to`. Unshaped and with nothing held, a chunk is written at once; otherwise it is
 * sent once the link has carried it at the throttled rate (after the chunks ahead of it) and no
 * earlier than now + delay, so the order of bytes is kept and the rate holds. Backpressure from `to` (or too many held bytes) pauses `from`.
 */
function pump(from: net.Socket, to: net.Socket, pair: Pair, shaping: Shaping, random: () => number): void {
  let lastSendAt = 0;
  let lastDoneAt = 0;
  let held = 0;
  let ended = false;
  let draining = false;
  const resumeIfClear = () => {
    if (!draining && held <= MAX_HELD_BYTES) from.resume();
  };
  const finishIfDone = () => {
    if (ended && held === 0 && !to.destroyed) to.end();
  };
  const write = (chunk: Buffer) => {
    if (to.destroyed) return;
    if (!to.write(chunk) && !draining) {
      draining = true;
      from.pause();
      to.once('drain', () => {
        draining = false;
        resumeIfClear();
      });
    }
  };
  from.on('data', (chunk: Buffer) => {
    const { delay, bytesPerSecond } = shaping;
    if (!delay && bytesPerSecond === undefined && held === 0) return write(chunk);
    const now = performance.now();
    const jitter = delay ? (random() * 2 - 1) * (delay.jitterMs ?? 0) : 0;
    const latency = delay ? Math.max(0, delay.delayMs + jitter) : 0;
    const transmit = bytesPerSecond === undefined ? 0 : (chunk.length / bytesPerSecond) * 1000;
    // The link is busy until the previous chunk is through; this one is then through after its own
    // transmit time, and arrives no earlier than its latency (nor before the chunk ahead of it).
    lastDoneAt = Math.max(now, lastDoneAt) + transmit;
    const sendAt = Math.max(lastDoneAt, now + latency, lastSendAt);
    lastSendAt = sendAt;
    held += chunk.length;
    if (held > MAX_HELD_BYTES) from.pause();
    const timer = setTimeout(
      () => {
        pair.timers.delete(timer);
        held -= chunk.length;
        write(chunk);
        resumeIfClear();
        finishIfDone();
      },
      Math.max(0, sendAt - now),
    );
    pair.timers.add(timer);
  });
  from.on('end', () => {
    ended = true;
    finishIfDone();
  });
}

/** The host and port a store URL points at (default ports per scheme). */
export function targetOf(url: string): { host: string; port: number } {
  const parsed = new URL(url);
  const defaults: Record<string, number> = {
    'postgres:': 5432,
    'postgresql:': 5432,
    'redis:': 6379,
    'rediss:': 6379,
    'http:': 80,
    'https:': 443,
  };
  const port = parsed.port ? Number(parsed.port) : defaults[parsed.protocol];
  if (!port) throw new Error(`cannot tell the port of ${parsed.protocol} URL ${parsed.host}`);
  return { host: parsed.hostname, port };
}

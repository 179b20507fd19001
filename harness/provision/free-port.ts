// Ports for the servers a run starts, and free ports for tests, asked of the kernel rather than guessed.
import { randomInt } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { createServer } from 'node:net';

/** A port nothing listens on now: the kernel's pick from its ephemeral range (bind to 0). */
export function freePort(): Promise<number> {
  return listenOnce(0);
}

export interface ServerPortOptions {
  /** The kernel's ephemeral range; read from /proc when not given. */
  readonly ephemeral?: EphemeralRange;
  /** Draws a candidate in [low, high); crypto's randomInt when not given. */
  readonly draw?: (low: number, high: number) => number;
}

export interface EphemeralRange {
  readonly low: number;
  readonly high: number;
}

const LOWEST_CANDIDATE = 16_384;
const ATTEMPTS = 64;

/**
 * A port for a server a run starts: free now and below the ephemeral range. A port from that range can be
 * taken by any client connection's local end in the seconds before the server binds it (Elasticsearch
 * binds 10–30 s after its ports are chosen) or while a store is stopped for a relaunch on the same port;
 * outside the range only another listener can take it.
 */
export async function serverPort(options: ServerPortOptions = {}): Promise<number> {
  const range = options.ephemeral ?? ephemeralRange();
  const high = Math.min(range.low, 32_768);
  if (high - LOWEST_CANDIDATE < 1_024) return freePort();
  const draw = options.draw ?? randomInt;
  for (let attempt = 0; attempt < ATTEMPTS; attempt++) {
    const candidate = draw(LOWEST_CANDIDATE, high);
    if (await listenOnce(candidate).catch(() => undefined)) return candidate;
  }
  return freePort();
}

/** Linux's net.ipv4.ip_local_port_range; elsewhere the IANA range (49152–65535). */
export function ephemeralRange(file = '/proc/sys/net/ipv4/ip_local_port_range'): EphemeralRange {
  try {
    const [low = NaN, high = NaN] = readFileSync(file, 'utf8').trim().split(/\s+/).map(Number);
    if (Number.isInteger(low) && Number.isInteger(high) && low > 0 && high >= low) return { low, high };
  } catch {
    // not Linux, or /proc not mounted
  }
  return { low: 49_152, high: 65_535 };
}

function listenOnce(port: number): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.unref();
    server.once('error', reject);
    server.listen({ port, host: '127.0.0.1', exclusive: true }, () => {
      const address = server.address();
      const bound = typeof address === 'object' && address ? address.port : 0;
      server.close(() => (bound > 0 ? resolve(bound) : reject(new Error('kernel returned no port'))));
    });
  });
}

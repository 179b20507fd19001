// The proxy's network faults, each against a plain echo server (they act on bytes, not on a store's
// protocol; tcp-proxy.test.ts shows a real Redis through cut and restore): delay holds bytes in order,
// throttle paces them, drop resets connections in flight, restore ends every fault.
import net from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTcpProxy } from './tcp-proxy.ts';

let echo: net.Server;
let echoPort = 0;

beforeAll(async () => {
  echo = net.createServer((socket) => {
    socket.on('error', () => undefined);
    socket.pipe(socket);
  });
  await new Promise<void>((resolve) => echo.listen(0, '127.0.0.1', resolve));
  echoPort = (echo.address() as net.AddressInfo).port;
});
afterAll(async () => {
  await new Promise((resolve) => echo.close(resolve));
});

/** A client through the proxy that collects what comes back. */
async function connect(port: number) {
  const socket = net.connect(port, '127.0.0.1');
  await new Promise<void>((resolve, reject) => socket.once('connect', resolve).once('error', reject));
  let received = Buffer.alloc(0);
  const errors: string[] = [];
  socket.on('data', (chunk: Buffer) => (received = Buffer.concat([received, chunk])));
  socket.on('error', (error: NodeJS.ErrnoException) => errors.push(error.code ?? error.message));
  const closed = new Promise<void>((resolve) => socket.once('close', () => resolve()));
  return {
    socket,
    errors,
    closed,
    received: () => received,
    /** Send `data` and wait until as many bytes came back; resolves with the time it took. */
    async roundTrip(data: Buffer, boundMs = 10_000): Promise<number> {
      const before = received.length;
      const began = performance.now();
      socket.write(data);
      while (received.length < before + data.length) {
        if (performance.now() - began > boundMs) throw new Error(`no echo within ${boundMs} ms`);
        await new Promise((resolve) => setTimeout(resolve, 2));
      }
      return performance.now() - began;
    },
  };
}

describe('tcp proxy faults', () => {
  it('delay adds latency with jitter each way, keeps byte order, and restore removes it', async () => {
    await using proxy = await startTcpProxy({ host: '127.0.0.1', port: echoPort });
    const client = await connect(proxy.port);
    await client.roundTrip(Buffer.from('warm'));
    proxy.delay({ delayMs: 300, jitterMs: 50 });
    const payload = Buffer.from(Array.from({ length: 50 }, (_, i) => `chunk-${i};`).join(''));
    const before = client.received().length;
    const began = performance.now();
    for (let i = 0; i < payload.length; i += 25) client.socket.write(payload.subarray(i, i + 25));
    await client.roundTrip(Buffer.from('!'));
    while (client.received().length < before + payload.length + 1) await new Promise((r) => setTimeout(r, 2));
    const took = performance.now() - began;
    // Both directions held ≥ 250 ms (300 - 50 jitter): at least 500 ms for the round trip.
    expect(took).toBeGreaterThanOrEqual(500);
    expect(client.received().subarray(before).toString()).toBe(`${payload.toString()}!`);
    proxy.restore();
    // Bounds far apart (a loaded machine adds tens of ms, not the 500 the fault does).
    expect(await client.roundTrip(Buffer.from('fast'))).toBeLessThan(250);
    client.socket.destroy();
  });

  it('throttle paces the bytes to the rate', async () => {
    await using proxy = await startTcpProxy({ host: '127.0.0.1', port: echoPort });
    const client = await connect(proxy.port);
    proxy.throttle(40_000);
    // 20 kB each way at 40 kB/s: ≥ 500 ms (the two directions overlap, so not 1000).
    const took = await client.roundTrip(Buffer.alloc(20_000, 7));
    expect(took).toBeGreaterThanOrEqual(480);
    proxy.restore();
    expect(await client.roundTrip(Buffer.alloc(20_000, 8))).toBeLessThan(250);
    client.socket.destroy();
  });

  it('drop resets connections in flight; untilRestore also resets new ones at their first bytes', async () => {
    await using proxy = await startTcpProxy({ host: '127.0.0.1', port: echoPort });
    const first = await connect(proxy.port);
    await first.roundTrip(Buffer.from('hello'));
    expect(proxy.open).toBe(1);
    proxy.drop({ untilRestore: true });
    await first.closed;
    expect(first.errors).toContain('ECONNRESET');
    expect(proxy.dropped).toBe(1);

    const second = await connect(proxy.port);
    second.socket.write('anyone?');
    await second.closed;
    expect(second.errors).toContain('ECONNRESET');
    expect(proxy.dropped).toBe(2);

    proxy.restore();
    const third = await connect(proxy.port);
    await third.roundTrip(Buffer.from('back'));
    third.socket.destroy();
  });

  it('a one-shot drop leaves new connections alone', async () => {
    await using proxy = await startTcpProxy({ host: '127.0.0.1', port: echoPort });
    const first = await connect(proxy.port);
    proxy.drop();
    await first.closed;
    const second = await connect(proxy.port);
    await second.roundTrip(Buffer.from('still here'));
    second.socket.destroy();
  });

  it('cut refuses new connections until restore', async () => {
    await using proxy = await startTcpProxy({ host: '127.0.0.1', port: echoPort });
    proxy.cut();
    const refused = await connect(proxy.port);
    await refused.closed;
    expect(refused.received().length).toBe(0);
    expect(proxy.refused).toBe(1);
    proxy.restore();
    const client = await connect(proxy.port);
    await client.roundTrip(Buffer.from('ok'));
    client.socket.destroy();
  });

  it('rejects a negative delay and a zero rate, naming the value', async () => {
    await using proxy = await startTcpProxy({ host: '127.0.0.1', port: echoPort });
    expect(() => proxy.delay({ delayMs: -5 })).toThrow(/delayMs .* -5/);
    expect(() => proxy.throttle(0)).toThrow(/bytesPerSecond .* 0/);
  });
});

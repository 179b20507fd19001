// Server ports come from below the kernel's ephemeral range, where no client connection's local end can take
// them between the pick and the server's bind; a port something listens on is passed over.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ephemeralRange, freePort, serverPort } from './free-port.ts';

describe('serverPort', () => {
  it('picks a free port below the ephemeral range', async () => {
    const { low } = ephemeralRange();
    const ports = await Promise.all(Array.from({ length: 20 }, () => serverPort()));
    for (const port of ports) {
      expect(port).toBeGreaterThanOrEqual(16_384);
      expect(port).toBeLessThan(Math.min(low, 32_768));
    }
    // free: we can listen on it
    const server = createServer();
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(ports[0], '127.0.0.1', resolve);
    });
    await new Promise((resolve) => server.close(resolve));
  });

  it('passes over a port something listens on', async () => {
    const taken = await serverPort();
    const squatter = createServer();
    await new Promise<void>((resolve) => squatter.listen(taken, '127.0.0.1', resolve));
    try {
      const draws: number[] = [];
      const port = await serverPort({
        ephemeral: { low: 32_768, high: 60_999 },
        draw: (low, high) => {
          expect([low, high]).toEqual([16_384, 32_768]);
          draws.push(draws.length === 0 ? taken : taken === 20_000 ? 20_001 : 20_000);
          return draws.at(-1)!;
        },
      });
      expect(draws).toHaveLength(2);
      expect(port).toBe(draws[1]);
      expect(port).not.toBe(taken);
    } finally {
      await new Promise((resolve) => squatter.close(resolve));
    }
  });

  it('falls back to the kernel when the ephemeral range leaves too little room below it', async () => {
    let drawn = 0;
    const port = await serverPort({ ephemeral: { low: 1_024, high: 65_535 }, draw: () => ++drawn });
    expect(drawn).toBe(0);
    expect(port).toBeGreaterThan(0);
  });
});

describe('ephemeralRange', () => {
  it('reads the kernel setting, and falls back to the IANA range when it is missing or garbled', () => {
    const dir = mkdtempSync(join(tmpdir(), 'dalbench-ports-'));
    try {
      writeFileSync(join(dir, 'range'), '40000\t50000\n');
      expect(ephemeralRange(join(dir, 'range'))).toEqual({ low: 40_000, high: 50_000 });
      writeFileSync(join(dir, 'range'), 'garbled\n');
      expect(ephemeralRange(join(dir, 'range'))).toEqual({ low: 49_152, high: 65_535 });
      writeFileSync(join(dir, 'range'), '50000 40000\n');
      expect(ephemeralRange(join(dir, 'range'))).toEqual({ low: 49_152, high: 65_535 });
      expect(ephemeralRange(join(dir, 'missing'))).toEqual({ low: 49_152, high: 65_535 });
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('freePort', () => {
  it('returns a port that nothing listens on', async () => {
    const port = await freePort();
    const server = createServer();
    await new Promise<void>((resolve) => server.listen(port, '127.0.0.1', resolve));
    expect((server.address() as AddressInfo).port).toBe(port);
    await new Promise((resolve) => server.close(resolve));
  });
});

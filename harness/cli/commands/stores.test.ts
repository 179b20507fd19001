// `dalbench stores up|status|down` as a user runs it: a real process, real local Redis, stopped from outside.
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Redis } from 'ioredis';
import { afterEach, describe, expect, it } from 'vitest';
import { isAlive, killGroupNow } from '../../provision/process-alive.ts';
import { readStateFile } from '../../provision/state-file.ts';

const BIN = join(import.meta.dirname, '..', '..', '..', 'bin', 'dalbench.js');
const cleanups: (() => void)[] = [];
afterEach(() => {
  for (const cleanup of cleanups.splice(0)) cleanup();
});

function run(args: string[]): Promise<{ code: number | null; out: string; err: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [BIN, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    child.stdout.on('data', (chunk: Buffer) => (out += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (err += chunk.toString()));
    child.once('exit', (code) => resolve({ code, out, err }));
  });
}

describe('dalbench stores', () => {
  it('up prints paste-able URLs and stays up; status checks them; down stops everything', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'dalbench-cli-test-'));
    cleanups.push(() => rmSync(dir, { recursive: true, force: true }));
    const stateFile = join(dir, 'stores.json');
    const up = spawn(
      process.execPath,
      [BIN, 'stores', 'up', '--stores', 'local', '--kinds', 'redis', '--state-file', stateFile],
      {
        stdio: ['ignore', 'pipe', 'pipe'],
      },
    );
    cleanups.push(() => killGroupNow(up.pid!));
    let out = '';
    up.stdout.on('data', (chunk: Buffer) => (out += chunk.toString()));
    up.stderr.resume();
    const upExit = new Promise<number | null>((resolve) => up.once('exit', resolve));
    const deadline = Date.now() + 30_000;
    while (!out.includes('stores stay up') && Date.now() < deadline)
      await new Promise((r) => setTimeout(r, 100));

    const url = /^export DALBENCH_REDIS_URL='(redis:\/\/127\.0\.0\.1:\d+)'$/m.exec(out)?.[1];
    expect(url, out).toBeDefined();
    const redis = new Redis(url!, { lazyConnect: true });
    await redis.connect();
    expect(await redis.ping()).toBe('PONG');
    redis.disconnect();
    const state = readStateFile(stateFile);
    expect(state?.pid).toBe(up.pid);

    const status = await run(['stores', 'status', '--state-file', stateFile]);
    expect(status.code).toBe(0);
    expect(status.out).toMatch(/ok\s+redis\s+Redis \d/);

    const down = await run(['stores', 'down', '--state-file', stateFile]);
    expect(down.code).toBe(0);
    expect(await upExit).toBe(0);
    expect(isAlive(up.pid!)).toBe(false);
    expect(existsSync(stateFile)).toBe(false);
    // The redis server it started is gone too: nothing answers on its port any more.
    const probe = new Redis(url!, { lazyConnect: true, retryStrategy: () => null, maxRetriesPerRequest: 0 });
    probe.on('error', () => {});
    await expect(probe.connect()).rejects.toThrow();
    probe.disconnect();

    const after = await run(['stores', 'status', '--state-file', stateFile]);
    expect(after.code).toBe(2);
    expect(after.err).toContain('no stores are up');
  }, 60_000);

  it('rejects an unknown mode naming the flag', async () => {
    const result = await run(['stores', 'up', '--stores', 'kubernetes']);
    expect(result.code).toBe(2);
    expect(result.err).toContain('--stores: unknown mode "kubernetes"');
  });
});

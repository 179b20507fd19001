// The reaper removes a crashed run's temp dir and kills its servers, and touches nothing else.
import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { isAlive, killGroupNow } from './process-alive.ts';
import { reapStaleRunDirs } from './reaper.ts';
import { OWNER_FILE, OWNER_TOOL } from './run-dir.ts';

const cleanups: (() => void)[] = [];
afterEach(() => {
  for (const cleanup of cleanups.splice(0)) cleanup();
});

function sleeper(cwd: string): number {
  const child = spawn('sleep', ['300'], { cwd, detached: true, stdio: 'ignore' });
  child.unref();
  const pid = child.pid!;
  cleanups.push(() => killGroupNow(pid));
  return pid;
}

async function deadPid(): Promise<number> {
  const child = spawn('true');
  await new Promise((resolve) => child.once('exit', resolve));
  return child.pid!;
}

function runDir(parent: string, name: string, owner: object | undefined): string {
  const dir = join(parent, name);
  mkdirSync(dir);
  if (owner) writeFileSync(join(dir, OWNER_FILE), JSON.stringify(owner));
  return dir;
}

describe('reapStaleRunDirs', () => {
  it('kills the servers of a dead owner, removes its dir, and leaves live, foreign and unrelated ones alone', async () => {
    const parent = mkdtempSync(join(tmpdir(), 'dalbench-reaper-test-'));
    cleanups.push(() => rmSync(parent, { recursive: true, force: true }));
    const elsewhere = mkdtempSync(join(tmpdir(), 'dalbench-reaper-elsewhere-'));
    cleanups.push(() => rmSync(elsewhere, { recursive: true, force: true }));

    const staleDir = runDir(parent, 'dalbench-stale', undefined);
    const server = sleeper(staleDir);
    // A pid reused by an unrelated process (working elsewhere) must survive.
    const unrelated = sleeper(elsewhere);
    const dead = await deadPid();
    writeFileSync(
      join(staleDir, OWNER_FILE),
      JSON.stringify({
        tool: OWNER_TOOL,
        ownerPid: dead,
        sessionId: 's',
        createdAt: '',
        childPids: [server, unrelated],
      }),
    );
    const liveDir = runDir(parent, 'dalbench-live', {
      tool: OWNER_TOOL,
      ownerPid: process.pid,
      sessionId: 'l',
      createdAt: '',
      childPids: [],
    });
    const foreignDir = runDir(parent, 'dalbench-foreign', undefined);
    const otherToolDir = runDir(parent, 'dalbench-other', {
      tool: 'something-else',
      ownerPid: dead,
      childPids: [],
    });
    const notOursByName = runDir(parent, 'other-stale', { tool: OWNER_TOOL, ownerPid: dead, childPids: [] });

    const lines: string[] = [];
    const reaped = await reapStaleRunDirs(parent, (line) => lines.push(line));

    expect(reaped).toEqual([{ dir: staleDir, killed: [server] }]);
    expect(existsSync(staleDir)).toBe(false);
    expect(isAlive(server)).toBe(false);
    expect(isAlive(unrelated)).toBe(true);
    for (const dir of [liveDir, foreignDir, otherToolDir, notOursByName]) expect(existsSync(dir)).toBe(true);
    expect(lines.join('\n')).toContain(`owner pid ${dead} is gone`);
  });
});

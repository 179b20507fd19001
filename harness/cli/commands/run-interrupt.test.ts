// Ctrl-C during `dalbench run` as a user presses it, and SIGTERM as a cancelled CI job or a Kubernetes
// Job sends it: a real process on real local stores gets the signal mid-scenario, writes its partial
// results marked incomplete, exits 2, and leaves no store process or run directory behind. (It once
// lost the results: the provisioner's own signal hook stopped the stores and re-raised the signal
// before the run could write anything — for SIGTERM until the run handled it like SIGINT.)
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { readResults } from '../../report/results-io.ts';
import { killGroupNow } from '../../provision/process-alive.ts';

const BIN = join(import.meta.dirname, '..', '..', '..', 'bin', 'dalbench.js');
const cleanups: (() => void)[] = [];
afterEach(() => {
  for (const cleanup of cleanups.splice(0)) cleanup();
});

/** The run directory still exists and its owner.json names `pid` as its owner. */
function ownedBy(dir: string, pid: number): boolean {
  const owner = join(tmpdir(), dir, 'owner.json');
  if (!existsSync(owner)) return false;
  try {
    return (JSON.parse(readFileSync(owner, 'utf8')) as { ownerPid?: number }).ownerPid === pid;
  } catch {
    return false; // removed while we read it, or half-written: not a leftover
  }
}

function runDirs(): Set<string> {
  return new Set(readdirSync(tmpdir()).filter((name) => name.startsWith('dalbench-') && name.length === 15));
}

describe('dalbench run interrupted', () => {
  it.each(['SIGINT', 'SIGTERM'] as const)(
    '%s: writes partial results marked incomplete, exits 2 and stops its stores',
    async (signal) => {
      const out = mkdtempSync(join(tmpdir(), 'dalbench-interrupt-test-'));
      cleanups.push(() => rmSync(out, { recursive: true, force: true }));
      const before = runDirs();
      const child = spawn(
        process.execPath,
        [
          BIN,
          'run',
          '--stores',
          'local',
          '--profile',
          'single-postgres',
          '--scenario',
          'metrics-query,dashboard-reads',
          '--duration',
          '20s',
          '--warmup',
          '100ms',
          '--out',
          out,
          '--json',
        ],
        { stdio: ['ignore', 'pipe', 'pipe'], detached: true },
      );
      cleanups.push(() => killGroupNow(child.pid!));
      let err = '';
      child.stderr.on('data', (chunk: Buffer) => (err += chunk.toString()));
      child.stdout.resume();
      const exited = new Promise<number | null>((resolve) => child.once('exit', resolve));
      const deadline = Date.now() + 60_000;
      while (!/▶ metrics-query/.test(err) && Date.now() < deadline)
        await new Promise((r) => setTimeout(r, 100));
      expect(err, err).toMatch(/▶ metrics-query/);
      await new Promise((r) => setTimeout(r, 1_000));
      child.kill(signal);
      expect(await exited, err).toBe(2);

      const results = await readResults(join(out, 'results.json'));
      expect(results.run.status).toBe('incomplete');
      expect(results.run.incompleteReason).toMatch(new RegExp(`interrupted \\(${signal}\\)`));
      expect(results.scenarios.map((s) => `${s.scenario}:${s.status}`)).toEqual([
        'metrics-query:incomplete',
        'dashboard-reads:incomplete',
      ]);
      // Only the child's own run directories count: other processes on this machine make theirs too.
      const left = [...runDirs()].filter((dir) => !before.has(dir) && ownedBy(dir, child.pid!));
      expect(left).toEqual([]);
    },
  );
});

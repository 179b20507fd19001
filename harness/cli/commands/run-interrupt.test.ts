// Ctrl-C during `dalbench run` as a user presses it: a real process on real local stores gets
// SIGINT mid-scenario, writes its partial results marked incomplete, exits 2, and leaves no store
// process or run directory behind. (It once lost the results: the provisioner's own signal hook
// stopped the stores and re-raised the signal before the run could write anything.)
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
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

function runDirs(): Set<string> {
  return new Set(readdirSync(tmpdir()).filter((name) => name.startsWith('dalbench-') && name.length === 15));
}

describe('dalbench run interrupted', () => {
  it('writes partial results marked incomplete, exits 2 and stops its stores', async () => {
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
    child.kill('SIGINT');
    expect(await exited, err).toBe(2);

    const results = await readResults(join(out, 'results.json'));
    expect(results.run.status).toBe('incomplete');
    expect(results.run.incompleteReason).toMatch(/interrupted/);
    expect(results.scenarios.map((s) => `${s.scenario}:${s.status}`)).toEqual([
      'metrics-query:incomplete',
      'dashboard-reads:incomplete',
    ]);
    const left = [...runDirs()].filter((dir) => !before.has(dir));
    expect(left.filter((dir) => existsSync(join(tmpdir(), dir)))).toEqual([]);
  });
});

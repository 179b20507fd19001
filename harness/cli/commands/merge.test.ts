import { captureIo } from '../../../test/support/capture-io.ts';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildResults } from '../../metrics/build-results.ts';
import { collectRunMetadata } from '../../metrics/run-metadata.ts';
import { readResults, writeResultsFile } from '../../report/results-io.ts';
import { runScenario } from '../../workload/runner.ts';
import { noopScenario } from '../../workload/test-systems.ts';
import { main } from '../main.ts';

let dir: string;
const files: string[] = [];

beforeAll(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), 'dalbench-merge-cli-'));
  for (const index of [1, 2]) {
    const shard = { index, count: 2 };
    const result = await runScenario({
      scenario: noopScenario(),
      profileName: 'p',
      sut: undefined,
      load: { type: 'closed', concurrency: 2 },
      seed: 3,
      warmupMs: 0,
      maxOps: 500,
      shard,
    });
    const file = path.join(dir, `shard-${index}.json`);
    await writeResultsFile(
      file,
      buildResults(await collectRunMetadata({ seed: 3, config: {}, shard }), [result]),
    );
    files.push(file);
  }
});

afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('dalbench merge', () => {
  it('writes the merged results and exits 0', async () => {
    const io = captureIo();
    const out = path.join(dir, 'merged.json');
    expect(await main(['merge', ...files, '--out', out], io)).toBe(0);
    expect(io.stdout).toContain(`into ${out}`);
    const merged = await readResults(out);
    expect(merged.scenarios[0]!.operations[0]!.count).toBe(500);
    expect(merged.run.mergedFrom).toHaveLength(2);
  });

  it('exits 2 naming the file when an input is bad', async () => {
    const bad = path.join(dir, 'bad.json');
    await writeFile(bad, '{"kind":"dalbench-results","schemaVersion":1,');
    const io = captureIo();
    expect(await main(['merge', files[0]!, bad, '--out', path.join(dir, 'x.json')], io)).toBe(2);
    // The file, then the line where JSON.parse stopped (when V8's message gives its position).
    expect(io.stderr).toContain(`${bad}:`);
    expect(io.stderr).toMatch(/bad\.json(:\d+)?: not valid JSON/);
  });

  it('exits 2 when --out is missing', async () => {
    const io = captureIo();
    expect(await main(['merge', ...files], io)).toBe(2);
    expect(io.stderr).toMatch(/--out/);
  });
});

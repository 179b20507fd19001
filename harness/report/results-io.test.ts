import { mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildResults } from '../metrics/build-results.ts';
import { collectRunMetadata } from '../metrics/run-metadata.ts';
import { runScenario } from '../workload/runner.ts';
import { noopScenario } from '../workload/test-systems.ts';
import { syntheticResults } from './fixtures/synthetic-results.ts';
import { InputError } from '../results/input-error.ts';
import { parseResults, readResults, ResultsFileError, writeResults } from './results-io.ts';
import type { Results } from '../results/schema.ts';

let dir: string;
let results: Results;

beforeAll(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), 'dalbench-results-io-'));
  const scenario = await runScenario({
    scenario: noopScenario(),
    profileName: 'none',
    sut: undefined,
    load: { type: 'closed', concurrency: 1 },
    seed: 5,
    warmupMs: 0,
    maxOps: 1000,
  });
  const meta = await collectRunMetadata({
    seed: 5,
    config: { stores: { postgres: 'postgres://u:hunter2@localhost/db' }, apiToken: 'abc' },
  });
  results = buildResults(meta, [scenario]);
});

afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

async function write(name: string, text: string): Promise<string> {
  const file = path.join(dir, name);
  await writeFile(file, text);
  return file;
}

describe('results.json IO', () => {
  it('writes atomically and reads back what it wrote; run metadata has the environment with secrets redacted', async () => {
    const out = path.join(dir, 'run1');
    const file = await writeResults(out, results);
    expect(await readdir(out)).toEqual(['results.json']);
    const back = await readResults(file);
    expect(back).toEqual(results);
    expect(back.run.node).toBe(process.version);
    expect(back.run.cpus).toBeGreaterThan(0);
    // The process's peak so far: at least what it holds now.
    expect(back.run.harness.peakRssMb).toBeGreaterThanOrEqual(
      Math.floor(process.memoryUsage().rss / 1024 ** 2) - 1,
    );
    expect(back.run.git.revision).toMatch(/^[0-9a-f]{40}$/);
    expect(JSON.stringify(back.run.config)).not.toMatch(/hunter2|abc/);
    expect(back.scenarios[0]!.operations[0]!.count).toBe(1000);
  });

  it('rejects a truncated file naming it', async () => {
    const text = JSON.stringify(results);
    const file = await write('truncated.json', text.slice(0, text.length / 2));
    const error = await readResults(file).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ResultsFileError);
    // An InputError: the CLI exits 2 and the message leads with the file (and the line, when V8 gives it).
    expect(error).toBeInstanceOf(InputError);
    expect((error as Error).message).toMatch(
      new RegExp(`^${escape(file)}(:\\d+)?: not valid JSON \\(truncated or corrupted\\?\\)$`),
    );
  });

  it('rejects a file from a newer schema version, saying so', async () => {
    const file = await write('newer.json', JSON.stringify({ ...results, schemaVersion: 2 }));
    await expect(readResults(file)).rejects.toThrow(
      `${file}: written by a newer dalbench (schemaVersion 2; this one reads 1)`,
    );
  });

  it('rejects the wrong kind of file', async () => {
    const file = await write('package.json', JSON.stringify({ name: 'x' }));
    await expect(readResults(file)).rejects.toThrow(`${file}: not a dalbench results file (kind: missing`);
    const empty = await write('empty.json', '');
    await expect(readResults(empty)).rejects.toThrow(`${empty}: the file is empty`);
  });

  it('names the JSON path of a schema violation', async () => {
    const broken = structuredClone(results) as unknown as {
      scenarios: { operations: { latency: { p99Us: unknown } }[] }[];
    };
    broken.scenarios[0]!.operations[0]!.latency.p99Us = 'fast';
    const file = await write('invalid.json', JSON.stringify(broken));
    await expect(readResults(file)).rejects.toThrow(
      `${file}: invalid results: $.scenarios[0].operations[0].latency.p99Us:`,
    );
  });

  it('refuses to write invalid results and leaves no temp file', async () => {
    const out = path.join(dir, 'run-invalid');
    const bad = { ...results, run: { ...results.run, cpus: 0 } };
    await expect(writeResults(out, bad)).rejects.toThrow(/\$\.run\.cpus/);
    await expect(readdir(out)).rejects.toThrow();
  });

  it('a missing file is a clear error', async () => {
    const file = path.join(dir, 'nope.json');
    await expect(readResults(file)).rejects.toThrow(`${file}: cannot read results file`);
    expect(await readFile(path.join(dir, 'truncated.json'), 'utf8')).not.toBe('');
  });
});

function escape(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

// The cases of the former second reader (report/results-input.ts), kept against the one reader.
describe('bad input: results.json text', () => {
  const good = syntheticResults({ seed: 40, profiles: ['polyglot'] });
  const text = JSON.stringify(good, null, 2);
  it.each([
    ['truncated', text.slice(0, text.length / 2), /^t\.json(:\d+)?: not valid JSON/],
    ['empty', '', /^t\.json: the file is empty/],
    [
      'newer schema',
      JSON.stringify({ ...good, schemaVersion: 99 }),
      /^t\.json: written by a newer dalbench \(schemaVersion 99/,
    ],
    [
      'hand-edited field',
      JSON.stringify({ ...good, run: { ...good.run, seed: 'x' } }),
      /^t\.json: invalid results: \$\.run\.seed/,
    ],
    ['not ours', '{"hello": 1}', /^t\.json: not a dalbench results file/],
    ['an array', '[1, 2]', /^t\.json: expected a JSON object/],
  ])('%s → error naming the file', (_name, body, message) => {
    expect(() => parseResults(body, 't.json')).toThrow(message);
  });

  it('bad JSON on a later line: the error names that line (V8 reports the position)', () => {
    const error = (() => {
      try {
        parseResults('{\n  "kind": "dalbench-results",\n  "run": 1 2\n}', 't.json');
      } catch (caught) {
        return caught;
      }
      return undefined;
    })();
    expect(error).toBeInstanceOf(ResultsFileError);
    expect((error as ResultsFileError).line).toBe(3);
    expect((error as Error).message).toMatch(/^t\.json:3: not valid JSON/);
  });
});

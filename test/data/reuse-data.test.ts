// `dalbench run --reuse-data` end to end on a real PostgreSQL: the first pair loads and keeps the
// data, later pairs and runs with the same scenario, size, seed and profile reuse it without loading,
// and a different seed or size never gets it (a dataset of its own is loaded). A scenario whose
// operations write is never reused. Every dataset kept here is dropped afterwards.
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { main } from '../../harness/cli/main.ts';
import { parseResults } from '../../harness/report/results-io.ts';
import type { ScenarioResult } from '../../harness/results/schema.ts';
import { databaseName } from '../../reference-dal/profiles/profile-databases.ts';
import { captureIo } from '../support/capture-io.ts';
import { externalStoresEnv } from '../support/external-run.ts';
import { requireStore } from '../support/stores.ts';

let scratch: string;
const kept = new Set<string>();
const seed = 1_000 + Math.floor(Math.random() * 1e6);

beforeAll(async () => {
  scratch = await mkdtemp(path.join(tmpdir(), 'dalbench-reuse-'));
});

afterAll(async () => {
  const client = new pg.Client({ connectionString: requireStore('postgres').url });
  await client.connect();
  try {
    for (const id of kept) {
      await client.query(
        `DROP DATABASE IF EXISTS ${databaseName('postgres', `single-postgres_ds${id}`)} WITH (FORCE)`,
      );
    }
  } finally {
    await client.end();
  }
  await rm(scratch, { recursive: true, force: true });
});

let runs = 0;
/** A short run of `scenario` on single-postgres; its results and stderr. */
async function run(scenario: string, extra: readonly string[]) {
  const out = path.join(scratch, `run${++runs}`);
  const io = captureIo(externalStoresEnv({ postgres: requireStore('postgres').url }));
  const code = await main(
    [
      'run',
      '--stores',
      'external',
      '--scenario',
      scenario,
      '--profile',
      'single-postgres',
      '--quick',
      '--duration',
      '300ms',
      '--warmup',
      '50ms',
      '--concurrency',
      '1',
      '--reuse-data',
      ...extra,
      '--out',
      out,
    ],
    io,
  );
  expect(code, io.stderr).toBe(0);
  const results = parseResults(await readFile(path.join(out, 'results.json'), 'utf8'), 'results.json');
  for (const result of results.scenarios) if (result.dataset) kept.add(result.dataset.id);
  return { scenarios: results.scenarios, stderr: io.stderr };
}

const loaded = (result: ScenarioResult | undefined) => result?.counters['loadMs'] !== undefined;

describe('--reuse-data', () => {
  it('reuses a dataset only for the same scenario, size, seed and profile', async () => {
    const first = await run('metrics-query', ['--scale', 'xs', '--seed', String(seed), '--repeat', '2']);
    const [load, reuse] = first.scenarios;
    expect(load?.dataset?.reused).toBe(false);
    expect(loaded(load)).toBe(true);
    expect(reuse?.dataset).toEqual({ id: load?.dataset?.id, reused: true });
    expect(loaded(reuse)).toBe(false);
    expect(reuse?.status).toBe('completed');
    expect(reuse?.operations.every((op) => Object.keys(op.errors).length === 0)).toBe(true);

    const later = await run('metrics-query', ['--scale', 'xs', '--seed', String(seed)]);
    expect(later.scenarios[0]?.dataset).toEqual({ id: load?.dataset?.id, reused: true });
    expect(loaded(later.scenarios[0])).toBe(false);

    for (const other of [
      ['--scale', 'xs', '--seed', String(seed + 1)],
      ['--scale', '0.03', '--seed', String(seed)],
    ]) {
      const result = (await run('metrics-query', other)).scenarios[0];
      expect(result?.dataset?.reused, other.join(' ')).toBe(false);
      expect(result?.dataset?.id, other.join(' ')).not.toBe(load?.dataset?.id);
      expect(loaded(result), other.join(' ')).toBe(true);
    }
  }, 120_000);

  it('without --seed it says the data lasts for this run; a scenario that writes is loaded afresh', async () => {
    const { scenarios, stderr } = await run('metrics-ingest', ['--scale', 'xs']);
    expect(stderr).toMatch(/--reuse-data without --seed: data is reused by the repeats of this run only/);
    expect(scenarios[0]?.dataset).toBeUndefined();
  }, 60_000);
});

// The run orchestration on real stores: a smoke run of two scenarios × two profiles writes a valid
// results.json; the same seed replays the same operation sequence; an abort gives partial results
// marked incomplete; a run that provisions its own store leaves no server behind; the http driver
// measures end to end.
import { mkdtemp, rm } from 'node:fs/promises';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { builtInProfiles } from '../../reference-dal/profiles/builtin-profiles.ts';
import type { SystemUnderTest } from '../../reference-dal/profiles/system-under-test.ts';
import { builtInScenarios, type ScenarioEntry } from '../../scenarios/index.ts';
import { lentStores } from '../../test/support/stores.ts';
import { provisionStores } from '../provision/create-provisioner.ts';
import type { ProvisionedStores } from '../provision/provisioner.ts';
import { readResults, writeResults } from '../report/results-io.ts';
import { defineScenario } from '../workload/scenario.ts';
import { runBenchmark } from './run-benchmark.ts';
import type { RunPlan } from './run-plan.ts';

function plan(overrides: Partial<RunPlan> & Pick<RunPlan, 'scenarios' | 'profiles'>): RunPlan {
  return {
    stores: 'external',
    load: { type: 'closed', concurrency: 2 },
    seed: 1234,
    durationMs: 300,
    warmupMs: 0,
    quick: true,
    repeat: 1,
    shard: undefined,
    driver: 'dal',
    config: { test: true },
    ...overrides,
  };
}

const quick = builtInScenarios({ size: 'quick' });
const profiles = builtInProfiles();

describe('runBenchmark', () => {
  it('runs two scenarios × two profiles and writes a valid results.json', async () => {
    const results = await runBenchmark(
      plan({
        scenarios: [quick.get('metrics-ingest')!, quick.get('model-artifacts')!],
        profiles: [profiles.get('single-postgres')!, profiles.get('polyglot')!],
        repeat: 2,
      }),
      { provision: (kinds) => Promise.resolve(lentStores(kinds)) },
    );
    const dir = await mkdtemp(path.join(os.tmpdir(), 'dalbench-run-'));
    try {
      const read = await readResults(await writeResults(dir, results));
      const pairs = read.scenarios.map((s) => `${s.scenario}/${s.profile}/${s.repeat}`);
      // Interleaved A B A B per scenario.
      expect(pairs).toEqual([
        'metrics-ingest/single-postgres/0',
        'metrics-ingest/polyglot/0',
        'metrics-ingest/single-postgres/1',
        'metrics-ingest/polyglot/1',
        'model-artifacts/single-postgres/0',
        'model-artifacts/polyglot/0',
        'model-artifacts/single-postgres/1',
        'model-artifacts/polyglot/1',
      ]);
      for (const s of read.scenarios) {
        expect(s.status, `${s.scenario}/${s.profile}: ${s.reason}`).toBe('completed');
        expect(s.operations.reduce((a, o) => a + o.count, 0)).toBeGreaterThan(0);
        expect(s.metrics.errorRate).toBe(0);
      }
      const pgArtifacts = read.scenarios.find(
        (s) => s.scenario === 'model-artifacts' && s.profile === 'single-postgres',
      )!;
      expect(pgArtifacts.operations.map((o) => o.name)).toEqual(['put', 'get']);
      expect(pgArtifacts.warnings.join('\n')).toMatch(/presign not run on single-postgres/);
      expect(read.run.status).toBe('complete');
      expect(read.run.seed).toBe(1234);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  it('a shard other than the first measures against the loaded data, not an empty system', async () => {
    // Each shard process builds its own system under test: one that skipped the load read nothing
    // (dashboard-reads throws "missing" for every detector it was meant to find).
    const results = await runBenchmark(
      plan({
        scenarios: [quick.get('dashboard-reads')!],
        profiles: [profiles.get('single-postgres')!],
        shard: { index: 2, count: 2 },
      }),
      { provision: (kinds) => Promise.resolve(lentStores(kinds)) },
    );
    const [result] = results.scenarios;
    expect(result?.status).toBe('completed');
    const ops = Object.values(result?.operations ?? {});
    expect(ops.reduce((sum, op) => sum + op.count, 0)).toBeGreaterThan(0);
    expect(ops.flatMap((op) => Object.entries(op.errors))).toEqual([]);
  });

  it("records every pair as skipped with the reason when a profile's store is unavailable", async () => {
    const results = await runBenchmark(
      plan({ scenarios: [quick.get('metrics-ingest')!], profiles: [profiles.get('polyglot')!] }),
      {
        provision: () =>
          Promise.resolve({
            ...lentStores(['postgres']),
            unavailable: { elasticsearch: 'not installed here' },
          }),
      },
    );
    expect(results.scenarios).toHaveLength(1);
    expect(results.scenarios[0]!.status).toBe('skipped');
    expect(results.scenarios[0]!.reason).toMatch(/elasticsearch \(unavailable: not installed here\)/);
  });

  it('replays the same operation sequence for the same seed', async () => {
    const sequence = async (seed: number) => {
      const seen: string[] = [];
      const scenario = defineScenario<SystemUnderTest>({
        name: 'sequence-probe',
        description: 'records what the planner chose, against the real profile',
        data: { records: 50, valueSize: { min: 1, max: 100 } },
        operations: [
          {
            name: 'a',
            weight: 2,
            keys: { type: 'zipfian' },
            run: (c) => Promise.resolve(void seen.push(`a${c.key}:${c.valueSize}`)),
          },
          {
            name: 'b',
            weight: 1,
            run: async (c) => {
              await c.sut.dal.timeSeries.countPoints();
              seen.push(`b${c.key}:${c.valueSize}`);
            },
          },
        ],
      });
      const entry: ScenarioEntry = { scenario: scenario };
      await runBenchmark(
        plan({
          scenarios: [entry],
          profiles: [profiles.get('single-postgres')!],
          seed,
          load: { type: 'closed', concurrency: 1 },
        }),
        { provision: (kinds) => Promise.resolve(lentStores(kinds)) },
      );
      return seen;
    };
    const [first, second, other] = [await sequence(7), await sequence(7), await sequence(8)];
    const n = Math.min(first.length, second.length, other.length);
    expect(n).toBeGreaterThan(20);
    expect(second.slice(0, n)).toEqual(first.slice(0, n));
    expect(other.slice(0, n)).not.toEqual(first.slice(0, n));
  });

  it('on abort writes partial results marked incomplete and stops the stores it started', async () => {
    const controller = new AbortController();
    let provisioned: ProvisionedStores | undefined;
    const results = await runBenchmark(
      plan({
        scenarios: [quick.get('metrics-ingest')!, quick.get('metrics-query')!],
        profiles: [profiles.get('single-postgres')!],
        durationMs: 5_000,
      }),
      {
        signal: controller.signal,
        provision: async (kinds, log) => (provisioned = await provisionStores('local', kinds, log)),
        onEvent: (e) => {
          if (e.type === 'progress' && e.progress.phase === 'measure' && e.progress.ops > 0)
            controller.abort();
        },
      },
    );
    expect(results.run.status).toBe('incomplete');
    expect(results.run.incompleteReason).toMatch(/interrupted/);
    expect(results.scenarios.map((s) => s.status)).toEqual(['incomplete', 'incomplete']);
    const port = Number(new URL(provisioned!.endpoints.postgres!.url).port);
    expect(await listening(port)).toBe(false);
  });

  it('refuses a plan that would run the http driver open-loop or sharded, before any store starts', async () => {
    let provisioned = false;
    const provision = () => {
      provisioned = true;
      return Promise.resolve(lentStores([]));
    };
    const base = { scenarios: [quick.get('dashboard-reads')!], profiles: [profiles.get('polyglot')!] };
    await expect(
      runBenchmark(plan({ ...base, driver: 'http', load: { type: 'open', ratePerSec: 50 } }), { provision }),
    ).rejects.toThrow(/http driver .* open loop/);
    await expect(
      runBenchmark(plan({ ...base, driver: 'both', shard: { index: 1, count: 2 } }), { provision }),
    ).rejects.toThrow(/http driver .* shard/);
    expect(provisioned).toBe(false);
  });

  it('runs dashboard-reads through the http driver beside the dal driver', async () => {
    const results = await runBenchmark(
      plan({
        scenarios: [quick.get('dashboard-reads')!],
        profiles: [profiles.get('polyglot')!],
        driver: 'both',
        durationMs: 500,
      }),
      { provision: (kinds) => Promise.resolve(lentStores(kinds)) },
    );
    expect(results.scenarios.map((s) => s.driver)).toEqual(['dal', 'http']);
    const http = results.scenarios[1]!;
    expect(http.status, http.reason).toBe('completed');
    const read = http.operations.find((o) => o.name === 'read')!;
    expect(read.count).toBeGreaterThan(0);
    expect(read.errors).toEqual({});
    expect(http.metrics.cacheHitRatio).toBeGreaterThan(0);
  });
});

function listening(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = net.connect(port, '127.0.0.1');
    socket.once('connect', () => (socket.destroy(), resolve(true)));
    socket.once('error', () => resolve(false));
  });
}

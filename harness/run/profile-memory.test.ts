// Equal memory per profile: the budget arithmetic (pure), and a run on a PostgreSQL local mode really
// starts (Elasticsearch, S3 and Redis lent by the test run): before each profile's pair PostgreSQL is
// restarted with that profile's shared_buffers, as read back from the server while the pair runs, and
// results.json and the report's "measured on" lines say what each profile had.
import pg from 'pg';
import { describe, expect, it } from 'vitest';
import { builtInProfiles } from '../../reference-dal/profiles/builtin-profiles.ts';
import { builtInScenarios } from '../../scenarios/index.ts';
import { lentStores } from '../../test/support/stores.ts';
import { LocalProvisioner } from '../provision/local-provisioner.ts';
import type { ProvisionedStores } from '../provision/provisioner.ts';
import { DEFAULT_STORE_MEMORY, type StoreMemory } from '../provision/store-memory.ts';
import { runMeasuredOn } from '../results/measured-on.ts';
import { equalMemoryPlan, runMemoryControl, sharedMemoryPlan } from './profile-memory.ts';
import { runBenchmark, type RunEvent } from './run-benchmark.ts';
import type { RunPlan } from './run-plan.ts';

const profiles = builtInProfiles();
const polyglot = profiles.get('polyglot')!;
const single = profiles.get('single-postgres')!;
const nocache = profiles.get('polyglot-nocache')!;
const M: StoreMemory = {
  postgres: { sharedBuffersMb: 512, workMemMb: 16 },
  elasticsearch: { heapMb: 1024 },
  basis: 'sized for scale m',
};
const ALL = ['postgres', 'timescaledb', 'redis', 'elasticsearch', 's3'] as const;

describe('equalMemoryPlan', () => {
  it('gives every profile the largest total, the difference as PostgreSQL shared_buffers', () => {
    const plan = equalMemoryPlan(M, [polyglot, single, nocache], ALL);
    expect(plan.budgetMb).toBe(1536);
    expect(plan.profiles).toEqual([
      { profile: 'polyglot', postgresSharedBuffersMb: 512, elasticsearchHeapMb: 1024, totalMb: 1536 },
      { profile: 'single-postgres', postgresSharedBuffersMb: 1536, totalMb: 1536 },
      { profile: 'polyglot-nocache', postgresSharedBuffersMb: 512, elasticsearchHeapMb: 1024, totalMb: 1536 },
    ]);
  });

  it('counts only the stores that are up: without Elasticsearch there is nothing to equalise', () => {
    const plan = equalMemoryPlan(M, [polyglot, single], ['postgres', 'redis', 's3']);
    expect(plan.budgetMb).toBe(512);
    expect(plan.profiles.map((p) => p.postgresSharedBuffersMb)).toEqual([512, 512]);
    expect(plan.profiles[0]).not.toHaveProperty('elasticsearchHeapMb');
  });

  it('unequalised, says what each profile had on stores sized once', () => {
    const plan = sharedMemoryPlan(M, [polyglot, single], ALL);
    expect(plan.budgetMb).toBe(1536);
    expect(plan.profiles.map((p) => [p.profile, p.postgresSharedBuffersMb, p.totalMb])).toEqual([
      ['polyglot', 512, 1536],
      ['single-postgres', 512, 512],
    ]);
  });
});

describe('runMemoryControl', () => {
  const endpoint = (mode: 'docker' | 'local') => ({
    kind: 'postgres' as const,
    url: 'postgres://127.0.0.1:1/x',
    mode,
    serverVersion: 'PostgreSQL 15',
    startMs: 0,
    notes: [],
  });
  const none = () => Promise.resolve();
  const quiet = { equal: true, log: () => {} };

  it('docker mode records not equalised with why; external stores record nothing', () => {
    const docker = {
      endpoints: { postgres: endpoint('docker') },
      unavailable: {},
      memory: M,
      stop: none,
      [Symbol.asyncDispose]: none,
    };
    expect(runMemoryControl(docker, [polyglot, single], ALL, quiet).record()).toMatchObject({
      equalised: false,
      why: 'docker mode cannot restart PostgreSQL between pairs',
      profiles: [{ totalMb: 1536 }, { totalMb: 512 }],
    });
    const external = {
      endpoints: { postgres: endpoint('local') },
      unavailable: {},
      stop: none,
      [Symbol.asyncDispose]: none,
    };
    expect(runMemoryControl(external, [polyglot, single], ALL, quiet).record()).toBeUndefined();
  });

  it('a profile with no PostgreSQL to take the difference makes the record say not equalised, and why', () => {
    const esOnly = {
      ...polyglot,
      name: 'es-only',
      requires: ['elasticsearch'],
      optional: [],
    } as typeof polyglot;
    const local = {
      endpoints: { postgres: endpoint('local') },
      unavailable: {},
      memory: M,
      resizePostgres: () => Promise.resolve(false),
      stop: none,
      [Symbol.asyncDispose]: none,
    };
    const record = runMemoryControl(local, [polyglot, esOnly], ALL, quiet).record();
    expect(record).toMatchObject({
      equalised: false,
      why: 'es-only uses no PostgreSQL to take the difference',
    });
    expect(record?.profiles.map((p) => p.totalMb)).toEqual([1536, 1024]);
  });
});

async function sharedBuffers(url: string): Promise<string> {
  const client = new pg.Client({ connectionString: url, connectionTimeoutMillis: 5_000 });
  await client.connect();
  try {
    return (await client.query<{ shared_buffers: string }>('SHOW shared_buffers')).rows[0]!.shared_buffers;
  } finally {
    await client.end();
  }
}

function plan(overrides: Partial<RunPlan> = {}): RunPlan {
  return {
    scenarios: [builtInScenarios({ size: 'quick' }).get('metrics-ingest')!],
    profiles: [single, polyglot],
    stores: 'local',
    load: { type: 'closed', concurrency: 2 },
    seed: 4242,
    durationMs: 300,
    warmupMs: 0,
    quick: true,
    repeat: 2,
    shard: undefined,
    driver: 'dal',
    config: { test: true },
    ...overrides,
  };
}

describe('a run on local PostgreSQL gives each profile the same memory', () => {
  it('restarts PostgreSQL with each profile’s shared_buffers before its pairs, and records it', async () => {
    const lines: string[] = [];
    const log = (line: string) => void lines.push(line);
    await using local = await new LocalProvisioner().start({ kinds: ['postgres'], log });
    const lent = lentStores(['redis', 'elasticsearch', 's3']);
    // The local PostgreSQL with its resize, the other stores lent: the memory is what local mode gave them.
    const stores: ProvisionedStores = Object.create(local, {
      endpoints: { value: { ...lent.endpoints, postgres: local.endpoints.postgres } },
      stop: { value: () => Promise.resolve() },
      [Symbol.asyncDispose]: { value: () => Promise.resolve() },
    }) as ProvisionedStores;
    const url = local.endpoints.postgres!.url;
    const seen: Promise<string>[] = [];
    const onEvent = (event: RunEvent) => {
      if (event.type === 'log') log(event.line);
      // What the server has while the pair runs (the next restart comes only after the pair ends).
      if (event.type === 'pair-start') seen.push(sharedBuffers(url).then((sb) => `${event.profile} ${sb}`));
    };
    const results = await runBenchmark(plan(), { onEvent, provision: () => Promise.resolve(stores) });
    expect(results.scenarios.map((s) => `${s.profile} ${s.status}`)).toEqual([
      'single-postgres completed',
      'polyglot completed',
      'single-postgres completed',
      'polyglot completed',
    ]);
    // DEFAULT_STORE_MEMORY: 128 MB shared_buffers + 512 MiB heap for polyglot, so 640 MB for single-postgres.
    expect(await Promise.all(seen)).toEqual([
      'single-postgres 640MB',
      'polyglot 128MB',
      'single-postgres 640MB',
      'polyglot 128MB',
    ]);
    expect(lines.filter((l) => l.startsWith('postgres: restarted with shared_buffers'))).toHaveLength(4);
    expect(results.run.memory).toEqual({
      budgetMb: 640,
      equalised: true,
      basis: DEFAULT_STORE_MEMORY.basis,
      profiles: [
        { profile: 'single-postgres', postgresSharedBuffersMb: 640, totalMb: 640 },
        { profile: 'polyglot', postgresSharedBuffersMb: 128, elasticsearchHeapMb: 512, totalMb: 640 },
      ],
    });
    expect(runMeasuredOn(results)).toContain(
      'memory per profile: 640 MiB each: single-postgres shared_buffers 640 MiB; polyglot shared_buffers 128 MiB + Elasticsearch heap 512 MiB (PostgreSQL shared_buffers and Elasticsearch heap; Redis, S3Proxy and the OS page cache not counted; default)',
    );

    // A confirmation re-run of single-postgres alone keeps the budget of the run it is pooled with.
    seen.length = 0;
    const rerun = await runBenchmark(
      plan({ profiles: [single], memoryProfiles: [single, polyglot], repeat: 1 }),
      {
        onEvent,
        provision: () => Promise.resolve(stores),
      },
    );
    expect(await Promise.all(seen)).toEqual(['single-postgres 640MB']);
    expect(rerun.run.memory?.budgetMb).toBe(640);

    // --no-equal-memory: PostgreSQL back at its own size once (the re-run left it at 640 MB), then no
    // restart; the record says what each had and why it was not equalised.
    lines.length = 0;
    seen.length = 0;
    const unequal = await runBenchmark(plan({ equalMemory: false }), {
      onEvent,
      provision: () => Promise.resolve(stores),
    });
    expect(lines.filter((l) => l.startsWith('postgres: restarted'))).toEqual([
      expect.stringMatching(/^postgres: restarted with shared_buffers 128 MiB/),
    ]);
    expect(await Promise.all(seen)).toEqual([
      'single-postgres 128MB',
      'polyglot 128MB',
      'single-postgres 128MB',
      'polyglot 128MB',
    ]);
    expect(unequal.run.memory).toMatchObject({ equalised: false, why: '--no-equal-memory', budgetMb: 640 });
    expect(unequal.run.memory?.profiles.map((p) => p.totalMb)).toEqual([128, 640]);
  });

  it('a restart that fails turns equalising off for the rest of the run and puts PostgreSQL back', async () => {
    await using local = await new LocalProvisioner().start({ kinds: ['postgres'] });
    const lent = lentStores(['redis', 'elasticsearch', 's3']);
    const sizes: number[] = [];
    const stores: ProvisionedStores = Object.create(local, {
      endpoints: { value: { ...lent.endpoints, postgres: local.endpoints.postgres } },
      // A limit PostgreSQL refuses at start: shared_buffers above what this machine could map.
      memory: { value: { ...local.memory, elasticsearch: { heapMb: 64 * 1024 * 1024 } } },
      resizePostgres: {
        value: (postgres: StoreMemory['postgres']) => {
          sizes.push(postgres.sharedBuffersMb);
          return local.resizePostgres(postgres);
        },
      },
      stop: { value: () => Promise.resolve() },
      [Symbol.asyncDispose]: { value: () => Promise.resolve() },
    }) as ProvisionedStores;
    const lines: string[] = [];
    const results = await runBenchmark(plan({ profiles: [polyglot, single] }), {
      onEvent: (e) => void (e.type === 'log' && lines.push(e.line)),
      provision: () => Promise.resolve(stores),
    });
    // polyglot's pair runs at 128 MB; single-postgres's restart fails, back at 128 MB; no further
    // attempt; every pair still runs.
    expect(sizes).toEqual([128, 128 + 64 * 1024 * 1024, 128]);
    expect(results.scenarios.every((s) => s.status === 'completed')).toBe(true);
    expect(await sharedBuffers(local.endpoints.postgres!.url)).toBe('128MB');
    expect(results.run.memory).toMatchObject({ equalised: false });
    expect(results.run.memory?.why).toMatch(
      /^restarting PostgreSQL with shared_buffers \d+ MiB before metrics-ingest\/single-postgres#0 failed \(the pairs before it ran equalised\): /,
    );
    expect(lines.some((l) => l.includes('back to 128 MiB for the rest of the run'))).toBe(true);
  });
});

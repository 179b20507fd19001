// Failure isolation on real stores: with Elasticsearch cut by a real TCP fault proxy, the operations
// that do not need it keep succeeding (the fan-out without its search part) while search fails
// (counted, and left out of errorRate); disposal restores the path and
// removes the indices; a profile whose documents are not on Elasticsearch is skipped with the reason;
// a run that hands no fault switch fails the load with a clear error rather than measuring no outage.
import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { startTcpProxy, targetOf } from '../harness/faults/tcp-proxy.ts';
import type { ProvisionedStores, StoreKind } from '../harness/provision/provisioner.ts';
import { runBenchmark } from '../harness/run/run-benchmark.ts';
import type { RunPlan } from '../harness/run/run-plan.ts';
import { runScenario } from '../harness/workload/runner.ts';
import { builtInProfiles } from '../reference-dal/profiles/builtin-profiles.ts';
import { SystemUnderTest } from '../reference-dal/profiles/system-under-test.ts';
import { storeEndpoint, requireStore } from '../test/support/stores.ts';
import { failureIsolation } from './failure-isolation.ts';
import { builtInScenarios } from './index.ts';

const scenario = failureIsolation({ size: 'quick' });
const profiles = builtInProfiles();
const SEED = 4242;

function endpoints() {
  return {
    postgres: requireStore('postgres').url,
    redis: requireStore('redis').url,
    elasticsearch: requireStore('elasticsearch').url,
    s3: requireStore('s3').url,
  };
}

async function indicesWithPrefix(prefix: string): Promise<string[]> {
  const es = requireStore('elasticsearch').url.replace(/\/$/, '');
  const response = await fetch(`${es}/_cat/indices/${prefix}*?format=json`);
  return ((await response.json()) as { index: string }[]).map((i) => i.index);
}

describe('failure-isolation', () => {
  it('keeps detect and dashboard succeeding while Elasticsearch is cut; search errors are counted', async () => {
    const runLabel = `fi${randomBytes(4).toString('hex')}`;
    const stores = endpoints();
    await using proxy = await startTcpProxy(targetOf(stores.elasticsearch));
    const sut = await SystemUnderTest.build(profiles.get('polyglot')!, {
      endpoints: { ...stores, elasticsearch: proxy.rewrite(stores.elasticsearch) },
      runLabel,
      faults: { elasticsearch: proxy },
    });
    let result;
    try {
      result = await runScenario({
        scenario,
        profileName: 'polyglot',
        sut,
        load: { type: 'closed', concurrency: 2 },
        seed: SEED,
        durationMs: 1_000,
        warmupMs: 0,
      });
      expect(proxy.isCut).toBe(true);
    } finally {
      await sut[Symbol.asyncDispose]();
    }
    expect(result.status, result.reason).toBe('completed');
    const op = (name: string) => result.operations.find((o) => o.name === name)!;
    expect(op('detect').count).toBeGreaterThan(0);
    expect(op('dashboard').count).toBeGreaterThan(0);
    // The ADR's fan-out answers without its search part.
    expect(op('overview').count).toBeGreaterThan(0);
    expect(result.counters.degradedResponses).toBeGreaterThan(0);
    expect(result.metrics.isolationSuccessRate).toBeGreaterThanOrEqual(0.999);
    // errorRate leaves out the searches, which are meant to fail.
    expect(result.metrics.errorRate).toBeCloseTo(1 - result.metrics.isolationSuccessRate!, 12);
    expect(result.metrics.failedStoreErrors).toBeGreaterThan(0);
    expect(result.metrics.failedStoreSuccesses).toBe(0);
    expect(Object.keys(op('search').errors).length).toBeGreaterThan(0);
    // Disposal restored the path first, then dropped this profile's indices.
    expect(proxy.isCut).toBe(false);
    expect(await indicesWithPrefix(`dalbench-polyglot-${runLabel}`)).toEqual([]);
  });

  it('fails the load with a clear error when the run hands no fault switch', async () => {
    await using sut = await SystemUnderTest.build(profiles.get('polyglot-nocache')!, {
      endpoints: endpoints(),
      runLabel: `fi${randomBytes(4).toString('hex')}`,
    });
    const result = await runScenario({
      scenario,
      profileName: 'polyglot-nocache',
      sut,
      load: { type: 'closed', concurrency: 1 },
      seed: SEED,
      durationMs: 100,
      warmupMs: 0,
    });
    expect(result.status).toBe('errored');
    expect(result.reason).toMatch(/FaultSwitchMissingError: .*Elasticsearch fault switch/);
  });

  it('in a run: polyglot measured through the proxy, single-postgres skipped with the reason', async () => {
    const kinds: StoreKind[] = ['postgres', 'redis', 'elasticsearch', 's3'];
    const lent: ProvisionedStores = {
      endpoints: Object.fromEntries(kinds.flatMap((k) => (storeEndpoint(k) ? [[k, storeEndpoint(k)!]] : []))),
      unavailable: {},
      stop: async () => {},
      [Symbol.asyncDispose]: async () => {},
    };
    const plan: RunPlan = {
      scenarios: [builtInScenarios({ size: 'quick' }).get('failure-isolation')!],
      profiles: [profiles.get('single-postgres')!, profiles.get('polyglot')!],
      stores: 'external',
      load: { type: 'closed', concurrency: 2 },
      seed: SEED,
      durationMs: 800,
      warmupMs: 0,
      quick: true,
      repeat: 1,
      shard: undefined,
      driver: 'dal',
      config: {},
    };
    const results = await runBenchmark(plan, { provision: () => Promise.resolve(lent) });
    const [single, polyglot] = results.scenarios;
    expect(single!.status).toBe('skipped');
    expect(single!.reason).toMatch(/documents are on postgres here, not Elasticsearch/);
    expect(polyglot!.status, polyglot!.reason).toBe('completed');
    expect(polyglot!.metrics.isolationSuccessRate).toBeGreaterThanOrEqual(0.999);
    expect(polyglot!.metrics.failedStoreErrors).toBeGreaterThan(0);
  });
});

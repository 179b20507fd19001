// Fault matrix cells end to end on real stores: the polyglot system on the run's stores, except Redis,
// which is a local server of this file's own (it is killed; the shared one never is). Redis and
// Elasticsearch are reached through TCP fault proxies.
// - Redis killed and restarted: cached reads fall through to PostgreSQL (≥ 99.9 % of the operations
//   that do not need Redis succeed during the fault), no acknowledged PostgreSQL write is lost, and the
//   cache serves hits again once Redis is back.
// - Elasticsearch cut at its proxy (the shared server itself untouched): searches fail, everything else
//   goes on at ≥ 99.9 %, and searches answer again once the path is back.
// - Redis paused (SIGSTOP of our own server): shown at the process level only. A paused Redis, and a
//   Redis path cut at a proxy that accepts and closes, hold cached reads in flight for the cache
//   client's reconnects (ioredis retries a command on each reconnect): the bench's matrix reports both.
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runFaultCell, type CellResult } from '../../harness/faults/fault-cell.ts';
import { faultOperations, preloadFaultData } from '../../harness/faults/fault-workload.ts';
import { checkFaultTargets, type FaultTargets } from '../../harness/faults/inject.ts';
import { ISOLATION_TARGET, formatMatrixTable } from '../../harness/faults/matrix-table.ts';
import { parseFaultPlan, type FaultPlanInput } from '../../harness/faults/plan.ts';
import { startTcpProxy, targetOf, type TcpProxy } from '../../harness/faults/tcp-proxy.ts';
import { envSeed } from '../../harness/conformance/support/seed.ts';
import {
  storeProcessControl,
  type StoreProcessControl,
} from '../../harness/provision/local/fault-control.ts';
import { LocalProvisioner, type LocalProvisionedStores } from '../../harness/provision/local-provisioner.ts';
import type { StoreKind } from '../../harness/provision/provisioner.ts';
import { Rng } from '../../harness/workload/random.ts';
import { MAX_RECONNECT_DELAY_MS } from '../../reference-dal/backends/redis/redis-cache-store.ts';
import { polyglotProfile } from '../../reference-dal/profiles/builtin-profiles.ts';
import { SystemUnderTest } from '../../reference-dal/profiles/system-under-test.ts';
import { requireStore, storeEndpoint } from '../support/stores.ts';

describe('fault cells on real stores', () => {
  let stores: LocalProvisionedStores | undefined;
  let processes: StoreProcessControl | undefined;
  const proxies: Partial<Record<StoreKind, TcpProxy>> = {};
  const seed = envSeed() ?? Math.floor(Math.random() * 2 ** 31);

  beforeAll(async () => {
    // CI never skips silently: a Redis that does not start fails this file, naming why.
    try {
      stores = await new LocalProvisioner().start({ kinds: ['redis'] });
    } catch (error) {
      throw new Error(
        `fault-cells needs its own local Redis (to kill it), which could not start: ${error instanceof Error ? error.message : String(error)}`,
        { cause: error },
      );
    }
    processes = storeProcessControl(stores);
    proxies.redis = await startTcpProxy(targetOf(stores.endpoints.redis!.url));
    proxies.elasticsearch = await startTcpProxy(targetOf(requireStore('elasticsearch').url));
  }, 120_000);

  afterAll(async () => {
    await processes?.[Symbol.asyncDispose]();
    await Promise.all(Object.values(proxies).map((proxy) => proxy.close()));
    await stores?.stop();
  }, 60_000);

  async function cell(
    name: string,
    operationNames: readonly string[],
    step: FaultPlanInput,
  ): Promise<CellResult> {
    if (!stores || !processes) throw new Error('fault-cells: setup did not complete');
    console.log(`${name}: seed ${seed} (replay with DALBENCH_SEED=${seed})`);
    const endpoints: Partial<Record<StoreKind, string>> = { redis: stores.endpoints.redis!.url };
    for (const kind of ['postgres', 'timescaledb', 'elasticsearch', 's3'] as const) {
      const url = storeEndpoint(kind)?.url;
      if (url) endpoints[kind] = url;
    }
    for (const [kind, proxy] of Object.entries(proxies) as [StoreKind, TcpProxy][])
      endpoints[kind] = proxy.rewrite(endpoints[kind]!);
    await using sut = await SystemUnderTest.build(polyglotProfile, {
      endpoints,
      runLabel: `faultcell${name.replace(/[^a-z]/g, '')}`,
      faults: proxies,
    });
    const operations = faultOperations(sut).filter((op) => operationNames.includes(op.name));
    expect(operations.map((op) => op.name).sort()).toEqual([...operationNames].sort());
    await preloadFaultData(sut, new Rng(seed), operations);
    const plan = parseFaultPlan(step, name);
    const result = await runFaultCell({
      sut,
      operations,
      step: plan.steps[0]!,
      targets: { mode: 'local', proxies, processes },
      failed: [plan.steps[0]!.store],
      durationMs: 5_000,
      // Past the cache client's longest reconnect delay: a restarted Redis is found on the next
      // attempt, which can come that long after it is back (then a miss fills, then the first hit).
      afterMs: MAX_RECONNECT_DELAY_MS + 4_000,
      maxMs: 30_000,
      // Generous: a slow answer (a loaded CI machine, a read held over a Redis restart) is not an
      // isolation failure here; the bench judges the 1 s deadline.
      deadlineMs: 10_000,
      // Reads in flight when Redis dies wait for its reconnects (the cache's retries): enough workers that
      // the others show what reads started during the outage do.
      workers: 8,
      seed,
    });
    console.log(formatMatrixTable([{ store: plan.steps[0]!.store, fault: name, result }]));
    return result;
  }

  function expectIsolated(result: CellResult, minDuring: number) {
    expect(result.faultError).toBeUndefined();
    expect(result.faultMs).toBeGreaterThan(0);
    expect(result.isolated.during.ok + result.isolated.during.errors).toBeGreaterThanOrEqual(minDuring);
    expect(result.isolationRate, JSON.stringify(result.isolated.during.errorClasses)).toBeGreaterThanOrEqual(
      ISOLATION_TARGET,
    );
    expect(result.recoveryMs, 'nothing needing the store succeeded after it was back').toBeDefined();
    expect(result.pgLost).toBe(0);
    expect(result.staleReads, 'a read through the cache after recovery is older than PostgreSQL').toBe(0);
  }

  it('Redis kill + restart: reads fall through, the cache recovers, no acknowledged write is lost', async () => {
    const result = await cell(
      'kill',
      ['meta-write', 'meta-read', 'cached-read', 'cached-update'],
      [{ at: '1s', store: 'redis', action: 'kill', restartAfter: '1500ms' }],
    );
    // Correctness, not speed (timing targets live in the bench): every read during the outage answered.
    // How many ran varies: in some runs every worker's read is held by the cache client's reconnects
    // for the whole outage (answered once Redis is back), which the bench's 1 s deadline reports.
    expectIsolated(result, 1);
    // Nothing needs Redis alone: the cache's recovery is its first hit after it is back.
    expect(result.dependent.during.ok + result.dependent.during.errors).toBe(0);
    expect(stores!.unexpectedExits()).toEqual({});
  }, 60_000);

  it('Elasticsearch cut at the proxy: searches fail, the rest goes on, search answers again after', async () => {
    const before = proxies.elasticsearch!.refused;
    const result = await cell(
      'cut',
      ['meta-write', 'meta-read', 'cached-read', 'search'],
      [{ at: '1s', store: 'elasticsearch', action: 'cut', for: '1500ms' }],
    );
    // The circuit breaker fails searches fast, so the other operations keep their pace.
    expectIsolated(result, 20);
    // The outage held: searches during it failed (none answered from the cut store).
    expect(result.dependent.during.errors).toBeGreaterThan(0);
    expect(result.dependent.after.ok).toBeGreaterThan(0);
    expect(proxies.elasticsearch!.refused).toBeGreaterThan(before);
    expect(proxies.elasticsearch!.isCut).toBe(false);
  }, 60_000);

  it("a committed write's invalidation with Redis cut does not fail the write, and the stale copy is never read", async () => {
    if (!stores) throw new Error('fault-cells: setup did not complete');
    const endpoints: Partial<Record<StoreKind, string>> = {
      redis: proxies.redis!.rewrite(stores.endpoints.redis!.url),
      elasticsearch: proxies.elasticsearch!.rewrite(requireStore('elasticsearch').url),
    };
    for (const kind of ['postgres', 'timescaledb', 's3'] as const) {
      const url = storeEndpoint(kind)?.url;
      if (url) endpoints[kind] = url;
    }
    await using sut = await SystemUnderTest.build(polyglotProfile, { endpoints, runLabel: 'faultcellinval' });
    const key = sut.key('detector', 'd1');
    expect(await sut.cached(key, () => Promise.resolve({ version: 1 }))).toEqual({ version: 1 });
    proxies.redis!.cut();
    try {
      // dashboard-reads' write: the row is committed, then its cached copy is dropped.
      await expect(sut.invalidate([key])).resolves.toBeUndefined();
      expect(await sut.cached(key, () => Promise.resolve({ version: 2 }))).toEqual({ version: 2 });
    } finally {
      proxies.redis!.restore();
    }
    // Back (the client reconnects on its own schedule): the deferred invalidation completes first.
    for (const deadline = Date.now() + 15_000; ;) {
      if (
        await sut.dal.cacheStore.ping().then(
          () => true,
          () => false,
        )
      )
        break;
      if (Date.now() > deadline) throw new Error('the cache did not reconnect within 15 s');
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    expect(await sut.cached(key, () => Promise.resolve({ version: 2 }))).toEqual({ version: 2 });
    expect(await sut.cached(key, () => Promise.resolve({ version: 3 }))).toEqual({ version: 2 });
  }, 60_000);

  it('pause stops the server (SIGSTOP: connected, silent) and resume brings it back', async () => {
    const client = new Redis(stores!.endpoints.redis!.url, { commandTimeout: 300, maxRetriesPerRequest: 0 });
    try {
      expect(await client.ping()).toBe('PONG');
      processes!.pause('redis');
      expect(processes!.isPaused('redis')).toBe(true);
      await expect(client.ping()).rejects.toThrow(/timed out/i);
      processes!.resume('redis');
      expect(await client.ping()).toBe('PONG');
    } finally {
      processes!.resume('redis');
      client.disconnect();
    }
  });

  it('a kill in external mode is refused up front, naming local mode', () => {
    const steps = parseFaultPlan([{ at: '1s', store: 'redis', action: 'kill' }]).steps;
    const targets: FaultTargets = { mode: 'external', proxies };
    expect(() => checkFaultTargets(steps, targets)).toThrow(/kill redis needs local mode/);
    const cut = parseFaultPlan([{ at: '1s', store: 'postgres', action: 'cut', for: '1s' }]).steps;
    expect(() => checkFaultTargets(cut, targets)).toThrow(/fault proxy/);
  });
});

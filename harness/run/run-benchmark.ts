// One `dalbench run`: provision the stores every selected profile needs (once), then for each
// scenario, each repeat and each profile (interleaved A B A B …) build a fresh system under test,
// run the scenario through the runner (and the http driver when asked), dispose it, and collect
// every result — a pair that cannot run is recorded as skipped/errored with the reason. An abort
// (Ctrl-C) stops the current scenario, records the rest as incomplete, and still returns results.
// A job scenario (migration) is called once per repeat for the profiles it names instead of the
// runner; a scenario asking for faults gets those stores routed through a TCP fault proxy.
import { randomBytes } from 'node:crypto';
import { missingStores, type Profile, type ProfileStore } from '../../reference-dal/profiles/profile.ts';
import { SystemUnderTest, type FaultSwitch } from '../../reference-dal/profiles/system-under-test.ts';
import { NO_FACTS, type StorageFacts } from '../../reference-dal/profiles/settle-stores.ts';
import type { ScenarioEntry } from '../../scenarios/index.ts';
import type { ScenarioJob } from './jobs/job.ts';
import { startTcpProxy, targetOf, type TcpProxy } from '../faults/tcp-proxy.ts';
import { buildResults } from '../metrics/build-results.ts';
import { collectRunMetadata } from '../metrics/run-metadata.ts';
import { provisionStores } from '../provision/create-provisioner.ts';
import type { ProvisionedStores, StoreKind } from '../provision/provisioner.ts';
import type { Results, ScenarioResult } from '../results/schema.ts';
import { assertHttpDriverLoad, runHttpScenario } from '../workload/http/http-driver.ts';
import { runScenario, type Progress, type RunScenarioOptions } from '../workload/runner.ts';
import { dalbenchVersion, datasetRequest } from '../data/dataset-identity.ts';
import type { DatasetRequest } from '../../reference-dal/profiles/profile-dataset.ts';
import { interruptionText } from './interrupted.ts';
import { notRunResult } from './results-builders.ts';
import { formatErrorChain } from '../../reference-dal/error-chain.ts';
import { QUICK_PHASES, type RunPlan } from './run-plan.ts';
import { pairFaults, proxiedStores, runFaultTargets, type RunFaultTargets } from './run-faults.ts';
import { withoutOperations } from './scenario-variant.ts';
import { runMemoryControl } from './profile-memory.ts';

export type RunEvent =
  | { readonly type: 'log'; readonly line: string }
  | {
      readonly type: 'pair-start';
      readonly scenario: string;
      readonly profile: string;
      readonly repeat: number;
      readonly driver: 'dal' | 'http';
    }
  | { readonly type: 'progress'; readonly progress: Progress }
  | { readonly type: 'pair-end'; readonly result: ScenarioResult };

export interface RunHooks {
  readonly signal?: AbortSignal;
  readonly onEvent?: (event: RunEvent) => void;
  /** Bring stores up; default: provisionStores(plan.stores, kinds). Tests pass their own endpoints. */
  readonly provision?: (
    kinds: readonly StoreKind[],
    log: (line: string) => void,
  ) => Promise<ProvisionedStores>;
}

export async function runBenchmark(plan: RunPlan, hooks: RunHooks = {}): Promise<Results> {
  if (plan.driver !== 'dal') assertHttpDriverLoad(plan.load, plan.shard);
  const emit = hooks.onEvent ?? (() => {});
  const log = (line: string) => emit({ type: 'log', line });
  const startedAt = new Date();
  const kinds = storeKinds(plan.profiles);
  const provision = hooks.provision ?? ((k, l) => provisionStores(plan.stores, k, l));
  log(`seed ${plan.seed}; provisioning ${kinds.join(', ')} (${plan.stores})`);
  await using stores = await provision(kinds, log);
  // Refuses a plan this run cannot apply before anything runs; its process control goes before the stores.
  const faultTargets = plan.faults ? runFaultTargets(plan.faults, stores) : undefined;
  await using processes = faultTargets?.processes;
  const up = Object.keys(stores.endpoints) as StoreKind[];
  const memory = runMemoryControl(stores, plan.memoryProfiles ?? plan.profiles, up, {
    equal: plan.equalMemory !== false,
    log,
  });
  const endpoints = Object.fromEntries(
    Object.entries(stores.endpoints).map(([kind, endpoint]) => [kind, endpoint.url]),
  ) as Partial<Record<ProfileStore, string>>;
  const meta = await collectRunMetadata({
    seed: plan.seed,
    config: plan.config,
    stores: Object.values(stores.endpoints),
    startedAt,
    ...(plan.shard ? { shard: plan.shard } : {}),
  });
  const runLabel = randomBytes(3).toString('hex');
  const results: ScenarioResult[] = [];
  let scale: ScenarioEntry['scale'];
  const record = (untagged: ScenarioResult) => {
    // A sweep's results carry their size; the scenario name already does (`metrics-query@m`).
    const result = scale ? { ...untagged, scale: { ...scale } } : untagged;
    results.push(result);
    emit({ type: 'pair-end', result });
  };

  for (const [s, entry] of plan.scenarios.entries()) {
    scale = entry.scale;
    for (let repeat = 0; repeat < plan.repeat; repeat++) {
      for (const profile of plan.profiles) {
        const name = entry.scenario.name;
        if (hooks.signal?.aborted) {
          record(
            notRunResult(name, profile.name, repeat, 'incomplete', 'not started: the run was interrupted'),
          );
          continue;
        }
        if (entry.job) {
          // Jobs report only for the profiles they name: the others get no row at all.
          if (!entry.job.profiles.includes(profile.name)) continue;
          await memory.before(profile, `${name}/${profile.name}#${repeat}`);
          emit({ type: 'pair-start', scenario: name, profile: profile.name, repeat, driver: 'dal' });
          record(
            await runJob(
              plan,
              name,
              entry.job,
              profile,
              repeat,
              endpoints,
              `${runLabel}_${s}_${repeat}`,
              hooks,
              {
                up,
                unavailable: stores.unavailable,
              },
            ),
          );
          continue;
        }
        const missing = missingStores(profile, up, stores.unavailable);
        if (missing) {
          record(notRunResult(name, profile.name, repeat, 'skipped', missing));
          continue;
        }
        await memory.before(profile, `${name}/${profile.name}#${repeat}`);
        emit({ type: 'pair-start', scenario: name, profile: profile.name, repeat, driver: 'dal' });
        for (const result of await runPair({
          plan,
          entry,
          profile,
          repeat,
          endpoints,
          label: `${runLabel}_${s}_${repeat}`,
          hooks,
          up,
          unavailable: stores.unavailable,
          ...(faultTargets ? { faultTargets: { ...faultTargets, processes } } : {}),
        })) {
          record(result);
        }
      }
    }
  }
  const interrupted = hooks.signal?.aborted
    ? `${interruptionText(hooks.signal.reason)}: partial results`
    : undefined;
  const built = buildResults(meta, results, interrupted ? { incompleteReason: interrupted } : {});
  // What did not come up, and why: a verdict measured without TimescaleDB says so with the reason.
  const unavailable = Object.entries(stores.unavailable).filter(
    (entry): entry is [string, string] => typeof entry[1] === 'string',
  );
  const memoryHad = memory.record();
  return {
    ...built,
    run: {
      ...built.run,
      ...(unavailable.length === 0 ? {} : { unavailableStores: Object.fromEntries(unavailable) }),
      ...(memoryHad ? { memory: memoryHad } : {}),
    },
  };
}

/** Stores to bring up: what the selected profiles require or can use. */
export function storeKinds(profiles: readonly Profile[]): StoreKind[] {
  const kinds = new Set<StoreKind>();
  for (const p of profiles) for (const k of [...p.requires, ...p.optional]) kinds.add(k);
  return [...kinds];
}

async function runJob(
  plan: RunPlan,
  name: string,
  job: ScenarioJob,
  profile: Profile,
  repeat: number,
  endpoints: Partial<Record<ProfileStore, string>>,
  label: string,
  hooks: RunHooks,
  stores: { up: readonly StoreKind[]; unavailable: Readonly<Partial<Record<StoreKind, string>>> },
): Promise<ScenarioResult> {
  const missing = job.stores.filter((kind) => !stores.up.includes(kind));
  if (missing.length > 0) {
    const why = missing
      .map((k) => `${k} (unavailable${stores.unavailable[k] ? `: ${stores.unavailable[k]}` : ''})`)
      .join(', ');
    return notRunResult(name, profile.name, repeat, 'skipped', `${name} needs ${why}`);
  }
  if (plan.shard && plan.shard.index > 1) {
    // A job is one piece of work, not a load to split: shard 1 runs it, merged shards count it once.
    return notRunResult(name, profile.name, repeat, 'skipped', `${name} is a job: it runs on shard 1 only`);
  }
  const log = (line: string) => hooks.onEvent?.({ type: 'log', line });
  try {
    const result = await job.run({
      endpoints,
      seed: plan.seed + repeat,
      label,
      profile: profile.name,
      repeat,
      log,
      ...(hooks.signal ? { signal: hooks.signal } : {}),
    });
    return { ...result, scenario: name, profile: profile.name, repeat };
  } catch (error) {
    return notRunResult(
      name,
      profile.name,
      repeat,
      'errored',
      `job failed: ${formatErrorChain(error, 'line')}`,
    );
  }
}

/** One fault proxy per store the scenario or the run's fault plan asks for that this profile uses and that is up. */
async function startFaultProxies(
  entry: ScenarioEntry,
  profile: Profile,
  endpoints: Partial<Record<ProfileStore, string>>,
  plan: RunPlan,
): Promise<Map<ProfileStore, TcpProxy>> {
  const proxies = new Map<ProfileStore, TcpProxy>();
  try {
    for (const kind of new Set([...(entry.faults ?? []), ...proxiedStores(plan.faults)])) {
      const url = endpoints[kind];
      const used = profile.requires.includes(kind) || profile.optional.includes(kind);
      if (!url || !used) continue;
      proxies.set(kind, await startTcpProxy(targetOf(url)));
    }
  } catch (error) {
    await Promise.all([...proxies.values()].map((p) => p.close()));
    throw error;
  }
  return proxies;
}

/** One scenario × profile × repeat of a run, with what the run knows when it gets to it. */
interface Pair {
  readonly plan: RunPlan;
  readonly entry: ScenarioEntry;
  readonly profile: Profile;
  readonly repeat: number;
  readonly endpoints: Partial<Record<ProfileStore, string>>;
  readonly label: string;
  readonly hooks: RunHooks;
  readonly up: readonly StoreKind[];
  readonly unavailable: Readonly<Partial<Record<StoreKind, string>>>;
  readonly faultTargets?: RunFaultTargets;
}

async function runPair(pair: Pair): Promise<ScenarioResult[]> {
  const { entry, profile, repeat, endpoints } = pair;
  const name = entry.scenario.name;
  let proxies: Map<ProfileStore, TcpProxy>;
  try {
    proxies = await startFaultProxies(entry, profile, endpoints, pair.plan);
  } catch (error) {
    return [
      notRunResult(
        name,
        profile.name,
        repeat,
        'errored',
        `starting fault proxies failed: ${formatErrorChain(error, 'line')}`,
      ),
    ];
  }
  try {
    return await buildAndRun(pair, proxies);
  } finally {
    // After the system under test is disposed (its cleanup restores the path first), never before.
    await Promise.all([...proxies.values()].map((p) => p.close()));
  }
}

async function buildAndRun(
  pair: Pair,
  proxies: ReadonlyMap<ProfileStore, TcpProxy>,
): Promise<ScenarioResult[]> {
  const { entry, profile, repeat, endpoints, label, hooks } = pair;
  const emit = hooks.onEvent ?? (() => {});
  const name = entry.scenario.name;
  const routed = { ...endpoints };
  const faults: Partial<Record<ProfileStore, FaultSwitch>> = {};
  for (const [kind, proxy] of proxies) {
    routed[kind] = proxy.rewrite(endpoints[kind]!);
    faults[kind] = proxy;
  }
  const dataset = reusableDataset(pair);
  let sut: SystemUnderTest;
  try {
    sut = await SystemUnderTest.build(profile, {
      endpoints: routed,
      runLabel: label,
      ...(proxies.size > 0 ? { faults } : {}),
      ...(dataset ? { dataset } : {}),
    });
  } catch (error) {
    return [
      notRunResult(
        name,
        profile.name,
        repeat,
        'errored',
        `building profile ${profile.name} failed: ${formatErrorChain(error, 'line')}`,
      ),
    ];
  }
  try {
    const inapplicable = entry.applies?.(sut.capabilities);
    if (inapplicable !== undefined)
      return [notRunResult(name, profile.name, repeat, 'skipped', inapplicable)];
    return await runWith(sut, pair, proxies);
  } finally {
    // A failed cleanup is reported, not allowed to throw away the results measured.
    await sut[Symbol.asyncDispose]().catch((error: unknown) =>
      emit({
        type: 'log',
        line: `${name}/${profile.name}: cleanup failed: ${formatErrorChain(error, 'line')}`,
      }),
    );
  }
}

/**
 * `--reuse-data`: the dataset this pair's data is, when its scenario only reads what it loads (a
 * scenario whose operations write would hand the next pair changed data).
 */
function reusableDataset(pair: Pair): DatasetRequest | undefined {
  const { plan, entry, profile } = pair;
  if (!plan.reuseData || !entry.scenario.data.readOnly || !entry.scenario.load) return undefined;
  return datasetRequest({
    scenario: entry.scenario,
    scale: entry.scale,
    seed: plan.seed,
    profile: profile.name,
    version: dalbenchVersion(),
  });
}

/**
 * The load phase's options for `sut`: skipped for a reused dataset; otherwise the stores are settled
 * once it finishes (VACUUM ANALYZE) and, with a dataset, the data kept from then on.
 */
function loadOptions(sut: SystemUnderTest): Pick<RunScenarioOptions<unknown>, 'skipLoad' | 'onLoaded'> {
  if (sut.dataset?.reused) return { skipLoad: true };
  return {
    onLoaded: async () => {
      await sut.settleAfterLoad();
      await sut.markDatasetLoaded();
    },
  };
}

/** The stores as measured (TimescaleDB's compression), for a scenario with data; a failed read is logged, not fatal. */
async function factsOf(
  sut: SystemUnderTest,
  hasData: boolean,
  log: (line: string) => void,
): Promise<StorageFacts> {
  if (!hasData) return NO_FACTS;
  try {
    return await sut.storageFacts();
  } catch (error) {
    log(`reading the stores' facts failed: ${formatErrorChain(error, 'line')}`);
    return NO_FACTS;
  }
}

/** Recorded with each result of a pair on a dataset: which one, whether it was reused, and why not when it was kept. */
function withDataset(result: ScenarioResult, sut: SystemUnderTest): ScenarioResult {
  const dataset = sut.dataset;
  if (!dataset) return result;
  const id = dataset.id.slice(0, 12);
  return {
    ...result,
    dataset: { id, reused: dataset.reused },
    ...(dataset.reloaded
      ? { warnings: [...result.warnings, `dataset ${id} loaded afresh: ${dataset.reloaded}`] }
      : {}),
  };
}

async function runWith(
  sut: SystemUnderTest,
  pair: Pair,
  proxies: ReadonlyMap<ProfileStore, TcpProxy>,
): Promise<ScenarioResult[]> {
  const { plan, entry, profile, repeat, hooks, up, unavailable } = pair;
  const emit = hooks.onEvent ?? (() => {});
  const name = entry.scenario.name;
  const unsupported = entry.unsupported?.(sut.capabilities) ?? {};
  const left = Object.entries(unsupported);
  const scenario = withoutOperations(
    entry.scenario,
    left.map(([op]) => op),
  );
  const warnings = [
    ...sut.warnings,
    ...left.map(([op, why]) => `operation ${op} not run on ${profile.name}: ${why}`),
  ];
  const durationMs = plan.durationMs ?? (plan.quick ? QUICK_PHASES.durationMs : undefined);
  const warmupMs = plan.warmupMs ?? (plan.quick ? QUICK_PHASES.warmupMs : undefined);
  const out: ScenarioResult[] = [];
  const runDal = plan.driver !== 'http' || !entry.http;
  if (runDal) {
    const used = new Set([...profile.requires, ...profile.optional].filter((k) => up.includes(k)));
    const faults =
      plan.faults && pair.faultTargets
        ? pairFaults(plan.faults, pair.faultTargets, used, Object.fromEntries(proxies), (line) =>
            emit({ type: 'log', line: `${name}/${profile.name}: ${line}` }),
          )
        : undefined;
    let result: ScenarioResult;
    let applied: Pick<ScenarioResult, 'faults' | 'warnings'> | undefined;
    try {
      result = await runScenario({
        scenario,
        profileName: profile.name,
        sut,
        load: plan.load,
        seed: plan.seed,
        repeat,
        availableStores: up,
        unavailableReasons: unavailable,
        ...(durationMs === undefined ? {} : { durationMs }),
        ...(warmupMs === undefined ? {} : { warmupMs }),
        ...(plan.warmupUntilStable ? { warmupUntilStable: plan.warmupUntilStable } : {}),
        // Every shard loads: each shard process builds a system of its own (named by its own run
        // label), so one that skipped the load would measure an empty system.
        ...(plan.shard ? { shard: plan.shard } : {}),
        ...loadOptions(sut),
        ...(hooks.signal ? { signal: hooks.signal } : {}),
        onProgress: (progress) => emit({ type: 'progress', progress }),
        log: (line) => emit({ type: 'log', line }),
        ...(faults ? { onMeasureStart: (measuredOps: () => number) => faults.start(measuredOps) } : {}),
      });
    } finally {
      // Healed before the next pair, however this one ended.
      applied = await faults?.finish();
    }
    const facts = await factsOf(sut, entry.scenario.load !== undefined, (line) =>
      emit({ type: 'log', line: `${name}/${profile.name}: ${line}` }),
    );
    out.push(
      withDataset(
        {
          ...result,
          metrics: { ...result.metrics, ...facts.metrics },
          warnings: [...warnings, ...(applied?.warnings ?? []), ...facts.notes, ...result.warnings],
          ...(applied?.faults ? { faults: applied.faults } : {}),
        },
        sut,
      ),
    );
  }
  if (plan.driver !== 'dal' && entry.http && !hooks.signal?.aborted) {
    emit({ type: 'pair-start', scenario: name, profile: profile.name, repeat, driver: 'http' });
    const httpScenario = withoutOperations(
      scenario,
      scenario.operations.map((o) => o.name).filter((o) => !entry.http?.includes(o)),
    );
    try {
      if (!runDal && scenario.load && scenario.phases.load && !sut.dataset?.reused) {
        // The http-only run still needs the scenario's data; a failed load must not pass unnoticed.
        const loaded = await runScenario({
          scenario,
          profileName: profile.name,
          sut,
          load: { type: 'closed', concurrency: 1 },
          seed: plan.seed,
          maxOps: 1,
          durationMs: 1,
          warmupMs: 0,
          ...loadOptions(sut),
          ...(hooks.signal ? { signal: hooks.signal } : {}),
        });
        if (loaded.status === 'errored' || loaded.status === 'incomplete' || loaded.status === 'skipped')
          throw new Error(`loading data for the http driver: ${loaded.status}: ${loaded.reason ?? ''}`);
      }
      const result = await runHttpScenario({
        scenario: httpScenario,
        profileName: profile.name,
        sut,
        seed: plan.seed,
        connections: plan.load.type === 'closed' ? plan.load.concurrency : QUICK_PHASES.concurrency,
        durationMs: durationMs ?? scenario.phases.measureMs,
        warmupMs: warmupMs ?? scenario.phases.warmupMs,
        repeat,
        ...(hooks.signal ? { signal: hooks.signal } : {}),
      });
      out.push(withDataset({ ...result, warnings: [...warnings, ...result.warnings] }, sut));
    } catch (error) {
      out.push(
        notRunResult(
          name,
          profile.name,
          repeat,
          'errored',
          `http driver failed: ${formatErrorChain(error, 'line')}`,
          'http',
        ),
      );
    }
  }
  return out;
}

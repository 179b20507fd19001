// `dalbench serve`: one profile's system under test behind the HTTP API, on stores this process
// provisions, until the signal aborts; then the server, the profile and the stores are closed.
import { randomBytes } from 'node:crypto';
import type { Profile, ProfileStore } from '../../reference-dal/profiles/profile.ts';
import { missingStores } from '../../reference-dal/profiles/profile.ts';
import { SystemUnderTest } from '../../reference-dal/profiles/system-under-test.ts';
import type { ScenarioEntry } from '../../scenarios/index.ts';
import { provisionStores } from '../provision/create-provisioner.ts';
import type { ProvisionMode } from '../provision/provisioner.ts';
import { startApiServer } from '../workload/http/api-server.ts';
import { runScenario } from '../workload/runner.ts';
import { storeKinds } from './run-benchmark.ts';

export interface ServeOptions {
  readonly profile: Profile;
  readonly scenarios: readonly ScenarioEntry[];
  readonly stores: ProvisionMode;
  readonly port: number;
  readonly host: string;
  readonly seed: number;
  readonly signal: AbortSignal;
  readonly log: (line: string) => void;
}

export async function serveProfile(options: ServeOptions): Promise<void> {
  const { profile, log } = options;
  await using stores = await provisionStores(options.stores, storeKinds([profile]), log);
  const missing = missingStores(profile, Object.keys(stores.endpoints), stores.unavailable);
  if (missing) throw new Error(missing);
  const endpoints = Object.fromEntries(
    Object.entries(stores.endpoints).map(([k, e]) => [k, e.url]),
  ) as Partial<Record<ProfileStore, string>>;
  await using sut = await SystemUnderTest.build(profile, {
    endpoints,
    runLabel: `serve_${randomBytes(3).toString('hex')}`,
  });
  const served = options.scenarios.filter((e) => e.http && e.http.length > 0);
  for (const entry of served) {
    // Load each exposed scenario's data (one recorded op, discarded) so requests find their records.
    log(`loading ${entry.scenario.name} data`);
    await runScenario({
      scenario: entry.scenario,
      profileName: profile.name,
      sut,
      load: { type: 'closed', concurrency: 1 },
      seed: options.seed,
      maxOps: 1,
      durationMs: 1,
      warmupMs: 0,
      signal: options.signal,
    });
  }
  await using server = await startApiServer({
    sut,
    host: options.host,
    port: options.port,
    routes: new Map(served.map((e) => [e.scenario.name, { scenario: e.scenario, operations: e.http ?? [] }])),
  });
  log(`serving profile ${profile.name} at ${server.url}`);
  for (const e of served)
    for (const op of e.http ?? []) log(`  POST ${server.url}/scenarios/${e.scenario.name}/${op}?key=K`);
  log('Ctrl-C stops the server and the stores');
  if (!options.signal.aborted)
    await new Promise<void>((resolve) =>
      options.signal.addEventListener('abort', () => resolve(), { once: true }),
    );
}

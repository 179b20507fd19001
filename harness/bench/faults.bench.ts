// npm run bench:faults — the fault matrix on stores of its own (local mode: it kills and pauses them):
// for each store of the polyglot profile × (kill + restart, pause, cut), a mixed workload runs against a
// fresh polyglot system for ~15 s with the fault from 5 s for 3 s; every store's traffic goes through a
// TCP fault proxy (for cut). One line per cell: isolation rate during the fault (ADR-024: ≥ 99.9 % of the
// operations that do not need the failed store), errors by class, recovery time, p99 before/during/after
// and integrity. Seed: DALBENCH_SEED (printed). Filters: DALBENCH_FAULT_STORES, DALBENCH_FAULT_ACTIONS
// (comma lists; delay, drop and throttle are cells on request). Everything started (stores, proxies, databases, indices, bucket) is removed at the end.
import { envSeed } from '../stats/random.ts';
import { cpus } from 'node:os';
import pg from 'pg';
import { pgConnection } from '../../reference-dal/sql/connection.ts';
import { runFaultCell } from '../faults/fault-cell.ts';
import { faultOperations, preloadFaultData, storesOf } from '../faults/fault-workload.ts';
import type { FaultTargets } from '../faults/inject.ts';
import { formatMatrixTable, type MatrixRow } from '../faults/matrix-table.ts';
import { parseFaultPlan } from '../faults/plan.ts';
import { startTcpProxy, targetOf, type TcpProxy } from '../faults/tcp-proxy.ts';
import { storeProcessControl } from '../provision/local/fault-control.ts';
import { LocalProvisioner } from '../provision/local-provisioner.ts';
import type { StoreKind } from '../provision/provisioner.ts';
import { Rng } from '../workload/random.ts';
import { polyglotProfile } from '../../reference-dal/profiles/builtin-profiles.ts';
import { SystemUnderTest } from '../../reference-dal/profiles/system-under-test.ts';

/** The matrix's columns by default; the other proxy faults on request (DALBENCH_FAULT_ACTIONS). */
const DEFAULT_ACTIONS = ['kill', 'pause', 'cut'] as const;
const ACTIONS = [...DEFAULT_ACTIONS, 'delay', 'drop', 'throttle'] as const;
type Action = (typeof ACTIONS)[number];

/** The step of one cell: the fault from 5 s for 3 s (a kill: restarted after 3 s). */
function cellStep(store: StoreKind, action: Action) {
  const base = { at: '5s', store };
  switch (action) {
    case 'kill':
      return { ...base, action, restartAfter: '3s' };
    case 'delay':
      // Past the DAL's fail-fast cache timeout (500 ms) on some calls: slow, not dead.
      return { ...base, action, for: '3s', delayMs: 200, jitterMs: 100 };
    case 'throttle':
      return { ...base, action, for: '3s', bytesPerSecond: 64 * 1024 };
    default:
      return { ...base, action, for: '3s' };
  }
}
const STORES: readonly StoreKind[] = ['postgres', 'redis', 'elasticsearch', 's3', 'timescaledb'];

function listFromEnv<T extends string>(
  name: string,
  allowed: readonly T[],
  defaults: readonly T[] = allowed,
): readonly T[] {
  const raw = process.env[name];
  if (raw === undefined || raw.trim() === '') return defaults;
  const items = raw.split(',').map((s) => s.trim());
  const bad = items.filter((item) => !(allowed as readonly string[]).includes(item));
  if (bad.length > 0)
    throw new Error(`${name}: unknown ${bad.join(', ')}; expected some of ${allowed.join(', ')}`);
  return items as T[];
}

const seed = envSeed();
const storeFilter = listFromEnv('DALBENCH_FAULT_STORES', STORES);
const actionFilter = listFromEnv('DALBENCH_FAULT_ACTIONS', ACTIONS, DEFAULT_ACTIONS);
const log = (line: string) => console.error(`[faults] ${line}`);
log(`seed ${seed} (replay with DALBENCH_SEED=${seed})`);

await using stores = await new LocalProvisioner().start({
  kinds: ['postgres', 'timescaledb', 'redis', 'elasticsearch', 's3'],
  log: (line) => console.error(`[stores] ${line}`),
});
await using processes = storeProcessControl(stores);
// The local PostgreSQL is a benchmark instance (synchronous_commit=off): a kill would lose commits it had
// acknowledged, a property of that setting, not of the DAL. Every connection of this run commits durably
// against a process kill (a per-role setting overrides the server's command line; fsync stays off, which
// only an OS crash would expose).
if (stores.endpoints.postgres) {
  const admin = new pg.Client(pgConnection(stores.endpoints.postgres.url));
  await admin.connect();
  try {
    await admin.query('ALTER ROLE CURRENT_USER SET synchronous_commit = on');
  } finally {
    await admin.end();
  }
}
const proxies: Partial<Record<StoreKind, TcpProxy>> = {};
const rows: MatrixRow[] = [];
const notes: string[] = [
  'postgres: synchronous_commit=on for this run (the local instance defaults to off), so a kill cannot take acknowledged commits',
];
try {
  const routed: Partial<Record<StoreKind, string>> = {};
  for (const endpoint of Object.values(stores.endpoints)) {
    const proxy = await startTcpProxy(targetOf(endpoint.url));
    proxies[endpoint.kind] = proxy;
    routed[endpoint.kind] = proxy.rewrite(endpoint.url);
  }
  const targets: FaultTargets = { mode: 'local', proxies, processes };
  // Local mode runs TimescaleDB inside the postgres server: killing or pausing either stops both.
  const sameServer = stores.endpoints.timescaledb !== undefined;
  if (sameServer)
    notes.push(
      'timescaledb is the postgres server here (local mode): its kill/pause are postgres’s, only its own network path is cut apart',
    );
  if (stores.unavailable.timescaledb)
    notes.push(
      `timescaledb: ${stores.unavailable.timescaledb.split(';')[0]} (time series on partitioned PostgreSQL)`,
    );

  let cell = 0;
  for (const store of storeFilter) {
    if (!stores.endpoints[store]) continue;
    for (const action of actionFilter) {
      const processFault = action === 'kill' || action === 'pause';
      if (store === 'timescaledb' && sameServer && processFault) continue;
      cell++;
      const fault = action === 'kill' ? 'kill+restart' : action;
      const step = parseFaultPlan([cellStep(store, action)], `matrix ${store} × ${fault}`).steps[0]!;
      const failed: StoreKind[] =
        processFault && sameServer && (store === 'postgres' || store === 'timescaledb')
          ? ['postgres', 'timescaledb']
          : [store];
      log(`cell ${cell}: ${store} × ${fault} …`);
      try {
        await using sut = await SystemUnderTest.build(polyglotProfile, {
          endpoints: routed,
          runLabel: `fm${(seed % 1_000_000).toString(36)}c${cell}`,
          faults: proxies,
        });
        const operations = faultOperations(sut);
        await preloadFaultData(sut, new Rng(seed + cell), operations);
        sut.relay.start();
        const result = await runFaultCell({
          sut,
          operations,
          step,
          targets,
          failed: failed.filter((kind) => storesOf(sut).has(kind) || kind === store),
          durationMs: 15_000,
          seed: seed + cell,
          log,
        });
        rows.push({ store, fault, result });
        log(
          `cell ${cell}: ${result.operations} ops, isolation ${result.isolationRate === undefined ? '-' : (result.isolationRate * 100).toFixed(2)} %`,
        );
      } catch (error) {
        rows.push({ store, fault, error: error instanceof Error ? error.message : String(error) });
        // runFaultCell heals its fault on the way out (restart, resume, restore), so the next cell starts clean.
        log(`cell ${cell}: failed: ${error instanceof Error ? error.message : String(error)}`);
      }
    }
  }
} finally {
  await Promise.all(Object.values(proxies).map((proxy) => proxy.close()));
}

const cpu = cpus();
console.log(
  `\nFault matrix (polyglot profile, local stores, 4 closed-loop workers, 1 s deadline per operation; fault at 5 s for 3 s, run ≥ 15 s and ≥ 4 s after recovery) on ${cpu[0]?.model ?? 'unknown cpu'} × ${cpu.length} cores, seed ${seed}\n`,
);
console.log(formatMatrixTable(rows));
for (const note of notes) console.log(`\nnote: ${note}`);
console.log('\nstores:');
for (const endpoint of Object.values(stores.endpoints))
  console.log(`  ${endpoint.kind}: ${endpoint.serverVersion} (${endpoint.mode})`);
const unexpected = stores.unexpectedExits();
if (Object.keys(unexpected).length > 0) console.log(`unexpected exits: ${JSON.stringify(unexpected)}`);

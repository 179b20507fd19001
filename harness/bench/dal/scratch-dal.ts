// A PostgreSQL bench group's setup: a scratch database, the DAL over it and a raw pool with the
// DAL's own pool settings; on a failed open everything made so far is closed again. The paths own
// them afterwards.
import type pg from 'pg';
import {
  parseStorageConfigs,
  type StorageConfigInput,
} from '../../../reference-dal/config/storage-config.ts';
import { DataAccessLayer } from '../../../reference-dal/dal/data-access-layer.ts';
import { admin } from '../../../reference-dal/profiles/profile-databases.ts';
import { createPool } from '../../../reference-dal/sql/pool.ts';
import { createScratchDatabase, type ScratchDatabase } from '../../provision/scratch-database.ts';
import type { PathGroup } from './path.ts';

export async function openScratchDal(
  serverUrl: string,
  label: string,
  types: readonly StorageConfigInput['type'][],
  openPaths: (dal: DataAccessLayer, raw: pg.Pool, scratch: ScratchDatabase) => Promise<PathGroup>,
): Promise<PathGroup> {
  const scratch = await createScratchDatabase(serverUrl, label);
  let dal: DataAccessLayer | undefined;
  let raw: pg.Pool | undefined;
  try {
    dal = await DataAccessLayer.initialize(
      types.map((type) => ({ type, backend: 'postgres', url: scratch.url, ...BENCH_POOL })),
    );
    raw = rawPoolLikeDal(scratch.url);
    return await openPaths(dal, raw, scratch);
  } catch (error) {
    await raw?.end();
    await dal?.close();
    await scratch[Symbol.asyncDispose]();
    throw error;
  }
}

/**
 * The pool config of both sides of every PostgreSQL path: one connection, kept for the whole run.
 * With the default idle timeout (30 s) a side whose calls were more than 30 s apart between two
 * rounds got a new server process, and a new PostgreSQL backend starts cold: its first touch of each
 * shared buffer page faults (measured: 1.3 minor faults and ≈ 2× the server CPU per 4 KiB bytea
 * upsert). In full runs only the DAL's object pool was replaced each round (its last call came
 * earliest, its first latest), which read as postgres.bytea-put 1.36–1.49.
 */
export const BENCH_POOL = { poolSize: 1, idleTimeoutMs: 0 } as const;

/** What the DAL's pools are given by default (timeouts, idle handling), as the config is read. */
export const DAL_POOL_SETTINGS =
  'the DAL’s own pg.Pool settings on both sides (30 s statement_timeout, query_timeout and connection timeout), except one connection kept for the whole run (idleTimeoutMs 0, so neither side is handed a new, cold server process between rounds): the raw client configured as the DAL configures it';

/**
 * A raw pg.Pool built by the DAL's own pool factory from the bench's config: the raw side gets
 * the same client settings (timeouts above all), so a path compares the DAL's code, not two client
 * configurations. What those settings cost is its own row (outbox.pool-settings).
 */
export function rawPoolLikeDal(url: string): pg.Pool {
  const [config] = parseStorageConfigs([{ type: 'transactional', backend: 'postgres', url, ...BENCH_POOL }]);
  if (!config) throw new Error('no storage config parsed for the raw pool');
  return createPool(config, 'postgres');
}

/**
 * A settle step that VACUUMs `tables` on a short-lived connection of its own, never on either side's.
 * VACUUM reads every page of the table: on the raw side's connection it would map those shared
 * buffers into the raw side's server process right before its block, while the DAL's process still
 * faults on its first touch of each (the asymmetry of a cold process, see BENCH_POOL).
 */
export function vacuumApart(url: string, tables: string): () => Promise<void> {
  return () =>
    admin('postgres', url, `bench settle: VACUUM ${tables}`, (client) => client.query(`VACUUM ${tables}`));
}

// A PostgreSQL bench group's setup: a scratch database and the DAL over it; on a failed open
// everything made so far is closed again. The paths own them afterwards. Their raw side runs on the
// DAL's own pool (DataAccessLayer.postgresPool): one server process serves both sides.
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
  openPaths: (dal: DataAccessLayer, scratch: ScratchDatabase) => Promise<PathGroup>,
): Promise<PathGroup> {
  const scratch = await createScratchDatabase(serverUrl, label);
  let dal: DataAccessLayer | undefined;
  try {
    dal = await DataAccessLayer.initialize(
      types.map((type) => ({ type, backend: 'postgres', url: scratch.url, ...BENCH_POOL })),
    );
    return await openPaths(dal, scratch);
  } catch (error) {
    await dal?.close();
    await scratch[Symbol.asyncDispose]();
    throw error;
  }
}

/**
 * The pool config of the DAL's stores in every PostgreSQL path, whose raw side borrows the same pool:
 * one connection, kept for the whole run.
 * With the default idle timeout (30 s) a side whose calls were more than 30 s apart between two
 * rounds got a new server process, and a new PostgreSQL backend starts cold: its first touch of each
 * shared buffer page faults (measured: 1.3 minor faults and ≈ 2× the server CPU per 4 KiB bytea
 * upsert). In full runs only the DAL's object pool was replaced each round (its last call came
 * earliest, its first latest), which read as postgres.bytea-put 1.36–1.49. Two warm processes, one
 * per side, still differed: postgres.create read 1.07 with its raw side on a pool of its own, 1.00–1.02
 * on the DAL's (the same code, two runs each).
 */
export const BENCH_POOL = { poolSize: 1, idleTimeoutMs: 0 } as const;

/** How both sides of a PostgreSQL path reach the server, for the notes under the table. */
export const DAL_POOL_SETTINGS =
  'the raw side runs on the DAL’s own pg.Pool (DataAccessLayer.postgresPool): one connection with the DAL’s settings (30 s statement_timeout, query_timeout and connection timeout) kept for the whole run (idleTimeoutMs 0), so one warm server process serves both sides and only the client code differs';

/**
 * A pg.Pool of its own built by the DAL's pool factory from the bench's config, with the DAL's client
 * settings: for rows that compare two pools (outbox.pool-settings prices those settings) and for
 * setup outside a DAL.
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

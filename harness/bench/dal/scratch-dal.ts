// A PostgreSQL bench group's setup: a scratch database, the DAL over it and a raw pool of the same
// size; on a failed open everything made so far is closed again. The paths own them afterwards.
import pg from 'pg';
import type { StorageConfigInput } from '../../../reference-dal/config/storage-config.ts';
import { DataAccessLayer } from '../../../reference-dal/dal/data-access-layer.ts';
import { createTestDatabase } from '../../../test/support/databases.ts';
import type { PathGroup } from './path.ts';

export async function openScratchDal(
  serverUrl: string,
  label: string,
  types: readonly StorageConfigInput['type'][],
  openPaths: (dal: DataAccessLayer, raw: pg.Pool, scratch: AsyncDisposable) => Promise<PathGroup>,
): Promise<PathGroup> {
  const scratch = await createTestDatabase(serverUrl, label);
  let dal: DataAccessLayer | undefined;
  let raw: pg.Pool | undefined;
  try {
    dal = await DataAccessLayer.initialize(
      types.map((type) => ({ type, backend: 'postgres', url: scratch.url, poolSize: 1 })),
    );
    raw = new pg.Pool({ connectionString: scratch.url, max: 1 });
    return await openPaths(dal, raw, scratch);
  } catch (error) {
    await raw?.end();
    await dal?.close();
    await scratch[Symbol.asyncDispose]();
    throw error;
  }
}

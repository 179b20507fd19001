// A PostgreSQL pool keeps or closes its idle connections as the config's idleTimeoutMs says. Each
// connection is a server process that starts cold, so whether one is replaced between two bursts is
// part of what a caller (and bench:dal, which keeps both sides' connections for the whole run) measures.
import { setTimeout as sleep } from 'node:timers/promises';
import type pg from 'pg';
import { describe, expect, it } from 'vitest';
import { parseStorageConfigs } from '../../reference-dal/config/storage-config.ts';
import { createPool } from '../../reference-dal/sql/pool.ts';
import { requireStore } from '../../test/support/stores.ts';

const backendPid = async (pool: pg.Pool) =>
  (await pool.query<{ pid: number }>('SELECT pg_backend_pid() AS pid')).rows[0]!.pid;

function poolWith(idleTimeoutMs?: number): pg.Pool {
  const [config] = parseStorageConfigs([
    {
      type: 'transactional',
      backend: 'postgres',
      url: requireStore('postgres').url,
      poolSize: 1,
      idleTimeoutMs,
    },
  ]);
  return createPool(config!, 'postgres');
}

describe('postgres pool idle timeout', () => {
  it('closes an idle connection after idleTimeoutMs, and never with 0', async () => {
    const closing = poolWith(150);
    const keeping = poolWith(0);
    try {
      const first = [await backendPid(closing), await backendPid(keeping)];
      await sleep(600);
      expect(closing.totalCount).toBe(0);
      expect(keeping.totalCount).toBe(1);
      expect(await backendPid(keeping)).toBe(first[1]);
      const again = await backendPid(closing);
      expect(again).not.toBe(first[0]); // a new server process
    } finally {
      await closing.end();
      await keeping.end();
    }
  });

  it('defaults to 30 s', async () => {
    const pool = poolWith(undefined);
    try {
      expect(pool.options.idleTimeoutMillis).toBe(30_000);
    } finally {
      await pool.end();
    }
  });
});

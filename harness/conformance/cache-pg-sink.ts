// A real, atomic write-behind sink for the cache contract: each batch is one PostgreSQL transaction
// appending (seq, key, value) rows to a log table with no unique constraint, so a duplicate delivery
// would show up as two rows. A fault schedule can make a batch fail after its INSERT, inside the
// transaction, which then rolls back: the failure the queue must retry without duplicating.
import pg from 'pg';
import type { WriteBehindEntry, WriteBehindSink } from '../../reference-dal/cache/write-behind-queue.ts';
import { pgConnection } from '../../reference-dal/sql/connection.ts';

export interface LoggedWrite {
  readonly seq: number;
  readonly key: string;
  readonly value: unknown;
}

export class InjectedSinkFault extends Error {
  override name = 'InjectedSinkFault';
}

export class PostgresWriteLog implements AsyncDisposable {
  readonly #client: pg.Client;
  readonly table: string;

  private constructor(client: pg.Client, table: string) {
    this.#client = client;
    this.table = table;
  }

  static async open(databaseUrl: string, table = 'write_behind_log'): Promise<PostgresWriteLog> {
    if (!/^[a-z_][a-z0-9_]*$/.test(table)) throw new Error(`table: "${table}" is not a plain identifier`);
    const client = new pg.Client({ ...pgConnection(databaseUrl) });
    await client.connect();
    try {
      await client.query(
        `CREATE TABLE IF NOT EXISTS ${table} (seq bigint NOT NULL, key text NOT NULL, value jsonb)`,
      );
    } catch (error) {
      await client.end();
      throw error;
    }
    return new PostgresWriteLog(client, table);
  }

  async clear(): Promise<void> {
    await this.#client.query(`TRUNCATE ${this.table}`);
  }

  /**
   * A sink over this log. `fails(call)` is asked once per sink call (0, 1, 2, …); true makes that
   * call insert its rows and then roll back and throw.
   */
  sink(fails: (call: number) => boolean = () => false): WriteBehindSink {
    let calls = 0;
    return async (writes: readonly WriteBehindEntry[]) => {
      const call = calls++;
      await this.#client.query('BEGIN');
      try {
        // One round trip per batch: arrays unnested server-side.
        await this.#client.query(
          `INSERT INTO ${this.table} (seq, key, value) SELECT * FROM unnest($1::bigint[], $2::text[], $3::jsonb[])`,
          [writes.map((w) => w.seq), writes.map((w) => w.key), writes.map((w) => JSON.stringify(w.value))],
        );
        if (fails(call)) throw new InjectedSinkFault(`injected failure of sink call ${call}`);
        await this.#client.query('COMMIT');
      } catch (error) {
        await this.#client.query('ROLLBACK');
        throw error;
      }
    };
  }

  async rows(): Promise<LoggedWrite[]> {
    const result = await this.#client.query<{ seq: string; key: string; value: unknown }>(
      `SELECT seq::text, key, value FROM ${this.table} ORDER BY seq`,
    );
    return result.rows.map((row) => ({ seq: Number(row.seq), key: row.key, value: row.value }));
  }

  async [Symbol.asyncDispose](): Promise<void> {
    await this.#client.end();
  }
}

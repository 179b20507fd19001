// One transactional session on PostgreSQL: BEGIN, run the callback with repositories bound to the
// transaction's client, COMMIT when it resolves, ROLLBACK when it throws (the original error is
// rethrown unchanged). The client goes back to the pool either way; a client whose ROLLBACK
// failed is destroyed rather than reused.
import type pg from 'pg';
import type { StoreName } from '../../errors.ts';
import type { TransactionalSession } from '../../ports/transactional.ts';
import { storeError, watchCheckedOut } from '../../sql/pool.ts';
import { queryableOf, storeErrorsFrom } from '../../sql/queryable.ts';
import type { StatementNames } from '../../sql/statement-names.ts';
import { createMetadataRepositories } from './metadata-repository.ts';

export interface TransactionTarget {
  readonly store: StoreName;
  readonly url: string;
  /** Acquire a client (the caller may retry transient connect failures here). */
  connect(): Promise<pg.PoolClient>;
  /**
   * Names for the session's `query(sql, params)` texts, shared by the pool's connections, so a
   * statement run in every transaction (the outbox event) is parsed once per connection.
   */
  readonly statements?: StatementNames;
}

export async function runInTransaction<T>(
  target: TransactionTarget,
  fn: (session: TransactionalSession) => Promise<T>,
): Promise<T> {
  const client = await target.connect();
  const release = watchCheckedOut(client);
  let discard: Error | undefined;
  try {
    try {
      await client.query('BEGIN');
    } catch (error) {
      discard = error as Error;
      throw storeError(target.store, target.url, 'BEGIN failed', error);
    }
    const db = storeErrorsFrom(queryableOf(client), target.store, target.url);
    const session: TransactionalSession = {
      ...createMetadataRepositories(db),
      async query<R extends Record<string, unknown>>(sql: string, params: readonly unknown[] = []) {
        // Only parameterised statements are prepared: a parameterless one is often DDL or a one-off.
        const name = params.length > 0 ? target.statements?.nameFor(sql) : undefined;
        const result = await db.query<R>({ text: sql, values: params, name });
        return { rows: result.rows, rowCount: result.rowCount ?? 0 };
      },
    };
    let value: T;
    try {
      value = await fn(session);
    } catch (error) {
      try {
        await client.query('ROLLBACK');
      } catch (rollbackError) {
        discard = rollbackError as Error;
      }
      throw error;
    }
    try {
      await client.query('COMMIT');
    } catch (error) {
      discard = error as Error;
      throw storeError(target.store, target.url, 'COMMIT failed', error);
    }
    return value;
  } finally {
    release(discard);
  }
}

// What repositories run SQL against: a pool (autocommit, retried) or one client inside a
// transaction. Repositories never know which, so the same code works in and out of a session.
import type pg from 'pg';
import { DalError, type StoreName } from '../errors.ts';
import { storeError } from './pool.ts';

export interface SqlQuery {
  readonly text: string;
  readonly values?: readonly unknown[];
  /** A name makes pg prepare the statement once per connection (hot paths). Unique per text. */
  readonly name?: string;
}

export interface Queryable {
  query<R extends pg.QueryResultRow = pg.QueryResultRow>(query: SqlQuery): Promise<pg.QueryResult<R>>;
}

/** Adapt a pg Pool or (Pool)Client. */
export function queryableOf(target: pg.Pool | pg.PoolClient | pg.Client): Queryable {
  return {
    query: <R extends pg.QueryResultRow>(query: SqlQuery) =>
      target.query<R>({ text: query.text, values: query.values as unknown[] | undefined, name: query.name }),
  };
}

/** The SQLSTATE of a pg error, also when it is wrapped as the `cause` of a StoreError. */
export function sqlState(error: unknown): string | undefined {
  for (let current = error, depth = 0; current instanceof Error && depth < 5; depth++) {
    const code = (current as { code?: unknown }).code;
    if (typeof code === 'string') return code;
    current = current.cause;
  }
  return undefined;
}

/** Driver failures become StoreErrors naming the store and redacted URL (the pg error is the cause). */
export function storeErrorsFrom(db: Queryable, store: StoreName, url: string): Queryable {
  return {
    async query<R extends pg.QueryResultRow>(query: SqlQuery) {
      try {
        return await db.query<R>(query);
      } catch (error) {
        if (error instanceof DalError) throw error;
        throw storeError(store, url, `query failed (${sqlState(error) ?? 'no SQLSTATE'})`, error);
      }
    },
  };
}

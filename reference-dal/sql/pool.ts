// A pg Pool built from a validated StorageConfig. Errors from here name the store and the
// redacted URL, so a failing connection says where it failed without leaking the password.
import pg from 'pg';
import type { StorageConfig } from '../config/storage-config.ts';
import { StoreError, type StoreName } from '../errors.ts';
import { pgConnection } from './connection.ts';

export function createPool(config: StorageConfig, store: StoreName): pg.Pool {
  const pool = new pg.Pool({
    ...pgConnection(config.url, `${store} URL`),
    max: config.poolSize,
    connectionTimeoutMillis: config.timeoutMs,
    statement_timeout: config.timeoutMs,
    query_timeout: config.timeoutMs,
    idleTimeoutMillis: config.idleTimeoutMs, // 0: pg-pool never closes an idle client
    allowExitOnIdle: true,
  });
  // An idle client's error (server restarted) must not crash the process; the next query fails loudly.
  pool.on('error', () => undefined);
  return pool;
}

/** Wrap a driver error into a StoreError naming the store and redacted URL. */
export function storeError(store: StoreName, url: string, what: string, cause: unknown): StoreError {
  const detail = cause instanceof Error ? cause.message : String(cause);
  return new StoreError(store, `${what}: ${detail}`, { url, cause });
}

/**
 * Watch a checked-out client until it is released. A connection that drops between two queries
 * makes the client emit 'error', which pg-pool only listens for while the client is idle: without
 * this the process crashes. The next query on the client fails with the error anyway. Returns the
 * release to call instead of `client.release` (a truthy argument destroys the client).
 */
export function watchCheckedOut(client: pg.PoolClient): (destroy?: Error | boolean) => void {
  const ignore = (): void => undefined;
  client.on('error', ignore);
  let released = false;
  return (destroy) => {
    if (released) return;
    released = true;
    client.off('error', ignore);
    client.release(destroy);
  };
}

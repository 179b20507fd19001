// The raw key-value store under the CacheManager (Redis). The manager owns serialisation,
// strategies and counters; this port only moves strings.

export interface CacheStore {
  get(key: string): Promise<string | null>;
  mget(keys: readonly string[]): Promise<(string | null)[]>;
  set(key: string, value: string, ttlMs?: number): Promise<void>;
  del(keys: readonly string[]): Promise<number>;
  /** Cursor-based iteration (SCAN), never KEYS: yields batches of keys matching a glob pattern. */
  scan(pattern: string, batchSize?: number): AsyncIterable<string[]>;
  ping(): Promise<void>;
  /** The server's own keyspace_hits / keyspace_misses, to cross-check the manager's counters. */
  serverStats(): Promise<{ keyspaceHits: number; keyspaceMisses: number }>;
  close(): Promise<void>;
}

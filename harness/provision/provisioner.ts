// One interface for every way stores come up: local child processes, docker (testcontainers),
// or URLs the user gives (external). `auto` = docker when an engine answers, else local.
import type { StoreMemory } from './store-memory.ts';

export const STORE_KINDS = ['postgres', 'timescaledb', 'redis', 'elasticsearch', 's3'] as const;
export type StoreKind = (typeof STORE_KINDS)[number];

export const PROVISION_MODES = ['auto', 'local', 'docker', 'external'] as const;
export type ProvisionMode = (typeof PROVISION_MODES)[number];

export interface StoreEndpoint {
  readonly kind: StoreKind;
  /**
   * Connection URL. postgres://user:pass@host:port/db, redis://host:port,
   * http://host:port (Elasticsearch), http://accessKey:secret@host:port/?region=R (S3; the
   * credentials ride in the userinfo so one string is the whole endpoint).
   */
  readonly url: string;
  /** How this store came up. */
  readonly mode: 'local' | 'docker' | 'external';
  /** What the server says it is, e.g. "PostgreSQL 15.19", "Redis 7.0.15", "Elasticsearch 9.2.4", "S3Proxy 4.1.0". */
  readonly serverVersion: string;
  /** Time from start request to ready (0 for external). */
  readonly startMs: number;
  /** Anything a report must say about this store (e.g. "fsync=off", "S3Proxy filesystem-nio2, not a performance peer of S3"). */
  readonly notes: readonly string[];
}

export interface ProvisionedStores extends AsyncDisposable {
  readonly endpoints: Readonly<Partial<Record<StoreKind, StoreEndpoint>>>;
  /** Stores that were asked for but could not come up in this mode, with the reason. */
  readonly unavailable: Readonly<Partial<Record<StoreKind, string>>>;
  /** The memory dalbench gave the servers it started (local, docker); external stores keep their own. */
  readonly memory?: StoreMemory;
  /**
   * Local mode: restart PostgreSQL (same port and data) with these sizes and resolve once it answers, so
   * each profile can be given the same memory in total (PostgreSQL reads shared_buffers only at start).
   * Resolves false, without a restart, when the running server already has them.
   */
  resizePostgres?(postgres: StoreMemory['postgres']): Promise<boolean>;
  /** Stop everything this provisioner started and remove its temp directories. Idempotent. */
  stop(): Promise<void>;
}

export interface ProvisionRequest {
  readonly kinds: readonly StoreKind[];
  /** Receives progress lines ("postgres: initdb ...", "elasticsearch: fetching archive ..."). */
  readonly log?: (line: string) => void;
  readonly signal?: AbortSignal;
}

export interface Provisioner {
  readonly mode: Exclude<ProvisionMode, 'auto'>;
  start(request: ProvisionRequest): Promise<ProvisionedStores>;
}

// Publishes outbox events to the search store. Writes never wait on search being up: they only
// append to the outbox. The active relay (an advisory lock makes others stand by) claims a batch
// in commit order, holding back an entity's events while an older one waits for a retry, keeps
// only the newest event per entity (older ones are superseded: the search store's external
// version makes the final state the newest either way), sends one _bulk, and then acknowledges.
// A store outage is retried with capped backoff without spending attempts; a document the store
// rejects spends an attempt, and after `maxAttempts` it goes to the dead-letter table.
import { ValidationError } from '../errors.ts';
import type { DocumentRepository } from '../ports/documents.ts';
import type { TransactionalSession } from '../ports/transactional.ts';

export type RunInTransaction = <T>(fn: (session: TransactionalSession) => Promise<T>) => Promise<T>;

export interface RelayOptions {
  readonly batchSize?: number;
  readonly maxAttempts?: number;
  readonly backoffBaseMs?: number;
  readonly backoffMaxMs?: number;
  /** Idle poll interval of the background loop. */
  readonly pollIntervalMs?: number;
  /** Called after a batch is published, e.g. to invalidate cached search results. */
  readonly onPublished?: (published: readonly PublishedEvent[]) => Promise<void> | void;
}

export interface PublishedEvent {
  readonly collection: string;
  readonly entityId: string;
  readonly entityVersion: number;
  readonly committedAt: Date;
  readonly publishedAt: Date;
}

export interface RelayStats {
  published: number;
  superseded: number;
  skippedStale: number;
  /** Batches or events retried: store outages plus rejected documents. */
  retries: number;
  storeOutages: number;
  deadLetters: number;
  lastError: string | undefined;
}

export interface DrainResult {
  readonly claimed: number;
  readonly published: number;
  readonly failed: number;
  readonly deadLettered: number;
}

const RELAY_LOCK_KEY = 0x64616c72; // "dalr"

type OutboxRow = {
  seq: string;
  collection: string;
  entity_id: string;
  entity_version: number;
  op: 'upsert' | 'delete';
  payload: Record<string, unknown> | null;
  committed_at: Date;
  attempts: number;
};

export class OutboxRelay implements AsyncDisposable {
  readonly #transaction: RunInTransaction;
  readonly #documents: DocumentRepository;
  readonly #options: Required<Omit<RelayOptions, 'onPublished'>> & Pick<RelayOptions, 'onPublished'>;
  readonly #stats: RelayStats = {
    published: 0,
    superseded: 0,
    skippedStale: 0,
    retries: 0,
    storeOutages: 0,
    deadLetters: 0,
    lastError: undefined,
  };
  #loop: Promise<void> | undefined;
  #stopping: AbortController | undefined;
  #outageStreak = 0;

  constructor(transaction: RunInTransaction, documents: DocumentRepository, options: RelayOptions = {}) {
    this.#transaction = transaction;
    this.#documents = documents;
    this.#options = {
      batchSize: options.batchSize ?? 500,
      maxAttempts: options.maxAttempts ?? 5,
      backoffBaseMs: options.backoffBaseMs ?? 50,
      backoffMaxMs: options.backoffMaxMs ?? 2_000,
      pollIntervalMs: options.pollIntervalMs ?? 20,
      onPublished: options.onPublished,
    };
    for (const [name, value] of Object.entries(this.#options)) {
      if (typeof value === 'number' && !(Number.isInteger(value) && value > 0)) {
        throw new RangeError(`OutboxRelay option ${name} must be a positive integer, got ${value}`);
      }
    }
  }

  stats(): Readonly<RelayStats> {
    return { ...this.#stats };
  }

  /** Events not yet published (including ones waiting for a retry). */
  async depth(): Promise<number> {
    return this.#transaction(async (session) => {
      const result = await session.query<{ n: string }>('SELECT count(*)::text AS n FROM dalbench_outbox');
      return Number(result.rows[0]?.n ?? 0);
    });
  }

  async deadLetterCount(): Promise<number> {
    return this.#transaction(async (session) => {
      const result = await session.query<{ n: string }>(
        'SELECT count(*)::text AS n FROM dalbench_outbox_dead',
      );
      return Number(result.rows[0]?.n ?? 0);
    });
  }

  /** Claim and publish one batch of events that are due. */
  async drainOnce(): Promise<DrainResult> {
    const published: PublishedEvent[] = [];
    const result = await this.#transaction(async (session) => {
      // One active relay at a time (others stand by): two relays claiming different events of one
      // entity could publish them out of order.
      const lock = await session.query<{ ok: boolean }>('SELECT pg_try_advisory_xact_lock($1) AS ok', [
        RELAY_LOCK_KEY,
      ]);
      if (!lock.rows[0]?.ok) return { claimed: 0, published: 0, failed: 0, deadLettered: 0 };
      // An event waits while an older event of the same entity waits for its retry: per-entity order.
      const claimed = await session.query<OutboxRow>(
        `SELECT seq::text, collection, entity_id, entity_version, op, payload, committed_at, attempts
           FROM dalbench_outbox o WHERE available_at <= clock_timestamp()
            AND NOT EXISTS (SELECT 1 FROM dalbench_outbox older
                             WHERE older.collection = o.collection AND older.entity_id = o.entity_id
                               AND older.seq < o.seq AND older.available_at > clock_timestamp())
           ORDER BY seq LIMIT $1 FOR UPDATE`,
        [this.#options.batchSize],
      );
      if (claimed.rows.length === 0) return { claimed: 0, published: 0, failed: 0, deadLettered: 0 };
      const newest = newestPerEntity(claimed.rows);
      const outcome = await this.#publish([...newest.values()]);
      if (outcome === 'store-unavailable') {
        this.#outageStreak++;
        this.#stats.storeOutages++;
        this.#stats.retries += claimed.rows.length;
        const delay = this.#backoff(this.#outageStreak);
        await session.query(
          `UPDATE dalbench_outbox SET available_at = clock_timestamp() + ($2::int * interval '1 millisecond'),
             last_error = $3 WHERE seq = ANY($1::bigint[])`,
          [claimed.rows.map((r) => r.seq), delay, this.#stats.lastError ?? 'search store unavailable'],
        );
        return { claimed: claimed.rows.length, published: 0, failed: claimed.rows.length, deadLettered: 0 };
      }
      this.#outageStreak = 0;
      const now = new Date();
      const done: string[] = [];
      let failed = 0;
      let deadLettered = 0;
      for (const row of claimed.rows) {
        const key = entityKey(row);
        const head = newest.get(key);
        const error = head ? outcome.get(head.seq) : undefined;
        if (error === undefined) {
          done.push(row.seq);
          if (head?.seq === row.seq) {
            published.push({
              collection: row.collection,
              entityId: row.entity_id,
              entityVersion: row.entity_version,
              committedAt: row.committed_at,
              publishedAt: now,
            });
          } else {
            this.#stats.superseded++;
          }
          continue;
        }
        failed++;
        this.#stats.retries++;
        const attempts = row.attempts + 1;
        if (attempts >= this.#options.maxAttempts) {
          deadLettered++;
          this.#stats.deadLetters++;
          await session.query(
            `WITH moved AS (DELETE FROM dalbench_outbox WHERE seq = $1 RETURNING *)
             INSERT INTO dalbench_outbox_dead (seq, collection, entity_id, entity_version, op, payload, committed_at, attempts, last_error)
             SELECT seq, collection, entity_id, entity_version, op, payload, committed_at, $2, $3 FROM moved`,
            [row.seq, attempts, error],
          );
        } else {
          await session.query(
            `UPDATE dalbench_outbox SET attempts = $2, last_error = $3,
               available_at = clock_timestamp() + ($4::int * interval '1 millisecond') WHERE seq = $1`,
            [row.seq, attempts, error, this.#backoff(attempts)],
          );
        }
      }
      if (done.length > 0) {
        await session.query('DELETE FROM dalbench_outbox WHERE seq = ANY($1::bigint[])', [done]);
      }
      this.#stats.published += published.length;
      return { claimed: claimed.rows.length, published: published.length, failed, deadLettered };
    });
    // Only after the acknowledgement committed: a crash before it replays, and replays are idempotent.
    if (published.length > 0) await this.#options.onPublished?.(published);
    return result;
  }

  /** Publish until nothing is due and nothing is pending, or the deadline passes. Returns the remaining depth. */
  async drain(timeoutMs = 30_000): Promise<number> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const step = await this.drainOnce();
      if (step.claimed > 0) continue;
      const depth = await this.depth();
      if (depth === 0 || Date.now() >= deadline) return depth;
      await sleep(this.#options.pollIntervalMs);
    }
  }

  /** Run in the background until stop()/dispose. Errors are counted in stats, never thrown away silently. */
  start(): void {
    if (this.#loop) return;
    const stopping = new AbortController();
    this.#stopping = stopping;
    this.#loop = (async () => {
      while (!stopping.signal.aborted) {
        try {
          const step = await this.drainOnce();
          if (step.claimed === 0) await sleep(this.#options.pollIntervalMs, stopping.signal);
        } catch (error) {
          // The transactional store itself failed: count it and back off; the outbox keeps the events.
          this.#stats.lastError = error instanceof Error ? error.message : String(error);
          this.#stats.retries++;
          await sleep(this.#backoff(++this.#outageStreak), stopping.signal);
        }
      }
    })();
  }

  async stop(): Promise<void> {
    this.#stopping?.abort();
    await this.#loop;
    this.#loop = undefined;
    this.#stopping = undefined;
  }

  async [Symbol.asyncDispose](): Promise<void> {
    await this.stop();
  }

  /** Map of seq → error message for failed events; 'store-unavailable' when the request itself failed. */
  async #publish(events: readonly OutboxRow[]): Promise<Map<string, string> | 'store-unavailable'> {
    const failures = new Map<string, string>();
    const byCollection = new Map<string, OutboxRow[]>();
    for (const event of events) {
      const list = byCollection.get(event.collection) ?? [];
      list.push(event);
      byCollection.set(event.collection, list);
    }
    try {
      for (const [collection, rows] of byCollection) {
        const upserts = rows.filter((r) => r.op === 'upsert');
        const bulk = (batch: readonly OutboxRow[]) =>
          this.#documents.bulkIndex(
            collection,
            batch.map((r) => ({ id: r.entity_id, document: r.payload ?? {}, version: r.entity_version })),
          );
        const results = [];
        if (upserts.length > 0) {
          const whole = await rejectedAsFailures([], failures, () => bulk(upserts));
          if (whole) results.push(whole);
          // The batch was refused as input: one by one, so only the invalid events spend an attempt.
          else
            for (const row of upserts)
              results.push(await rejectedAsFailures([row], failures, () => bulk([row])));
        }
        const seqById = new Map(upserts.map((r) => [r.entity_id, r.seq]));
        for (const result of results) {
          this.#stats.skippedStale += result?.skippedStale ?? 0;
          for (const failure of result?.errors ?? []) {
            const seq = seqById.get(failure.id);
            if (seq !== undefined) failures.set(seq, failure.reason);
          }
        }
        for (const row of rows.filter((r) => r.op === 'delete')) {
          await rejectedAsFailures([row], failures, () =>
            this.#documents.delete(collection, row.entity_id, { version: row.entity_version }),
          );
        }
      }
    } catch (error) {
      this.#stats.lastError = error instanceof Error ? error.message : String(error);
      return 'store-unavailable';
    }
    return failures;
  }

  #backoff(attempt: number): number {
    return Math.min(this.#options.backoffMaxMs, this.#options.backoffBaseMs * 2 ** Math.max(0, attempt - 1));
  }
}

/**
 * Run one store call for `rows`. A ValidationError means these events can never be written (an
 * invalid collection name or payload): each is a failed event that spends an attempt and is
 * eventually dead-lettered. Counting it as an outage instead would retry the poison event forever
 * and stall every event behind it. Any other error propagates (an outage).
 */
async function rejectedAsFailures<T>(
  rows: readonly OutboxRow[],
  failures: Map<string, string>,
  call: () => Promise<T>,
): Promise<T | undefined> {
  try {
    return await call();
  } catch (error) {
    if (!(error instanceof ValidationError)) throw error;
    for (const row of rows) failures.set(row.seq, error.message);
    return undefined;
  }
}

function entityKey(row: OutboxRow): string {
  return `${row.collection}\u0000${row.entity_id}`;
}

function newestPerEntity(rows: readonly OutboxRow[]): Map<string, OutboxRow> {
  const newest = new Map<string, OutboxRow>();
  for (const row of rows) {
    const current = newest.get(entityKey(row));
    if (!current || BigInt(row.seq) > BigInt(current.seq)) newest.set(entityKey(row), row);
  }
  return newest;
}

function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    if (signal?.aborted) return resolve();
    const timer = setTimeout(done, ms);
    function done() {
      clearTimeout(timer);
      signal?.removeEventListener('abort', done);
      resolve();
    }
    signal?.addEventListener('abort', done, { once: true });
  });
}

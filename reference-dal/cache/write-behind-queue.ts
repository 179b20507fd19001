// The write-behind queue the ADR sample names and never implements: bounded (a full queue makes the
// writer wait for a flush — backpressure, never a silent drop), flushed in batches on an interval and
// on close, each batch retried a bounded number of times and then dead-lettered. Given a sink that
// is atomic (a batch is written entirely or not at all, and a rejection means nothing was written),
// every accepted write reaches the sink exactly once or is dead-lettered, never both.
import { DalError } from '../errors.ts';

/** Dead letters kept for inspection (the dead-lettered counter is not capped). */
const MAX_KEPT_DEAD_LETTERS = 1_000;
export interface WriteBehindEntry {
  readonly key: string;
  readonly value: unknown;
  /** 1, 2, 3, … in acceptance order, per queue: identifies a write end to end (exactly-once checks). */
  readonly seq: number;
}

/** Persists a batch in order of `seq`. Must be atomic; throwing means "nothing of this batch was written". */
export type WriteBehindSink = (writes: readonly WriteBehindEntry[]) => Promise<void>;

export interface DeadLetter {
  readonly write: WriteBehindEntry;
  readonly attempts: number;
  /** The sink's error on the last attempt. */
  readonly error: unknown;
}

export interface WriteBehindSettings {
  readonly sink: WriteBehindSink;
  /** Accepted-but-unflushed writes at most; a writer beyond this waits for a flush. */
  readonly maxPending: number;
  readonly batchSize: number;
  readonly flushIntervalMs: number;
  /** Sink calls per batch before it is dead-lettered (1 = no retry). */
  readonly maxAttempts: number;
  /** Pause before retry n is retryDelayMs · 2^(n-1). */
  readonly retryDelayMs: number;
  /** Told about each failed sink call (for logs); the queue counts them itself. */
  readonly onFlushError?: (error: unknown, attempt: number, batch: readonly WriteBehindEntry[]) => void;
  /**
   * Turns what `enqueue` was given into the value the sink gets, once per write, when the write is
   * first read (by the flush, or by `latest`): the writer does not pay for it. The cache gives the
   * text it wrote, so the sink gets a private copy of what the cache holds without a parse on the
   * write path. Must not throw (the cache decodes only text it encoded). Absent: the sink gets what
   * `enqueue` was given.
   */
  readonly decode?: (stored: unknown) => unknown;
}

/** What a writer learns of an accepted write. */
export interface AcceptedWrite {
  readonly key: string;
  readonly seq: number;
}

/** An accepted write as the queue keeps it: the entry the sink gets is made on first read. */
interface PendingWrite extends AcceptedWrite {
  readonly stored: unknown;
  entry: WriteBehindEntry | undefined;
}

export class WriteBehindClosedError extends DalError {
  override name = 'WriteBehindClosedError';
}

export class WriteBehindQueue implements AsyncDisposable {
  readonly #settings: WriteBehindSettings;
  /** Accepted, unflushed writes in seq order; the head batch stays here while it is in flight. */
  #queue: PendingWrite[] = [];
  /** Newest pending write per key: lets a read-through miss see a write the source has not got yet. */
  readonly #latest = new Map<string, PendingWrite>();
  readonly #deadLetters: DeadLetter[] = [];
  #batchInFlight: Promise<void> | undefined;
  #nextSeq = 1;
  #accepted = 0;
  #flushed = 0;
  #failedAttempts = 0;
  #deadLettered = 0;
  #closing: Promise<void> | undefined;
  readonly #timer: NodeJS.Timeout;

  constructor(settings: WriteBehindSettings) {
    this.#settings = settings;
    this.#timer = setInterval(() => {
      if (this.#queue.length > 0 && this.#batchInFlight === undefined) void this.flush();
    }, settings.flushIntervalMs);
    // The interval must not keep a process alive; close() is what guarantees the final flush.
    this.#timer.unref();
  }

  get pending(): number {
    return this.#queue.length;
  }

  get closed(): boolean {
    return this.#closing !== undefined;
  }

  /** Accept a write, waiting for flushes while the queue is full. Resolves once accepted. */
  async enqueue(key: string, value: unknown): Promise<AcceptedWrite> {
    for (;;) {
      const accepted = this.tryEnqueue(key, value);
      if (accepted) return accepted;
      await this.#flushOneBatch();
    }
  }

  /**
   * `enqueue` without the wait: accepts the write now, or returns undefined when the queue is full
   * (then `enqueue` waits for room). Spares the common write an await.
   */
  tryEnqueue(key: string, value: unknown): AcceptedWrite | undefined {
    return this.#queue.length >= this.#settings.maxPending && !this.#closing
      ? undefined
      : this.#accept(key, value);
  }

  #accept(key: string, stored: unknown): AcceptedWrite {
    if (this.#closing)
      throw new WriteBehindClosedError('write-behind queue is closed; the write was not accepted');
    const write: PendingWrite = { key, seq: this.#nextSeq++, stored, entry: undefined };
    this.#queue.push(write);
    this.#latest.set(key, write);
    this.#accepted++;
    return write;
  }

  /** The newest pending (not yet flushed) write for a key. */
  latest(key: string): WriteBehindEntry | undefined {
    const write = this.#latest.get(key);
    return write && this.#entryOf(write);
  }

  #entryOf(write: PendingWrite): WriteBehindEntry {
    const decode = this.#settings.decode;
    write.entry ??= { key: write.key, value: decode ? decode(write.stored) : write.stored, seq: write.seq };
    return write.entry;
  }

  /** Flush until every write accepted before this call is flushed or dead-lettered. Never rejects. */
  async flush(): Promise<void> {
    const target = this.#nextSeq - 1;
    while (this.#queue.length > 0 && (this.#queue[0]?.seq ?? Infinity) <= target) {
      await this.#flushOneBatch();
    }
    // A batch started by someone else may still hold writes up to target.
    if (this.#batchInFlight) await this.#batchInFlight;
  }

  deadLetters(): readonly DeadLetter[] {
    return [...this.#deadLetters];
  }

  stats(): {
    accepted: number;
    flushed: number;
    failedAttempts: number;
    deadLettered: number;
    pending: number;
  } {
    return {
      accepted: this.#accepted,
      flushed: this.#flushed,
      failedAttempts: this.#failedAttempts,
      deadLettered: this.#deadLettered,
      pending: this.#queue.length,
    };
  }

  /** Zero the counters (not `pending`, which is state, nor the dead letters themselves). */
  resetStats(): void {
    this.#accepted = 0;
    this.#flushed = 0;
    this.#failedAttempts = 0;
    this.#deadLettered = 0;
  }

  /** Refuse new writes, stop the interval and flush everything accepted. Idempotent. */
  close(): Promise<void> {
    this.#closing ??= (async () => {
      clearInterval(this.#timer);
      await this.flush();
    })();
    return this.#closing;
  }

  async [Symbol.asyncDispose](): Promise<void> {
    await this.close();
  }

  /** One batch at a time: concurrent callers share the batch in flight. */
  #flushOneBatch(): Promise<void> {
    this.#batchInFlight ??= this.#sendHeadBatch().finally(() => {
      this.#batchInFlight = undefined;
    });
    return this.#batchInFlight;
  }

  async #sendHeadBatch(): Promise<void> {
    const pending = this.#queue.slice(0, this.#settings.batchSize);
    if (pending.length === 0) return;
    const batch = pending.map((write) => this.#entryOf(write));
    let lastError: unknown;
    for (let attempt = 1; attempt <= this.#settings.maxAttempts; attempt++) {
      if (attempt > 1) await sleep(this.#settings.retryDelayMs * 2 ** (attempt - 2));
      try {
        await this.#settings.sink(batch);
        this.#flushed += batch.length;
        this.#settle(pending);
        return;
      } catch (error) {
        lastError = error;
        this.#failedAttempts++;
        try {
          this.#settings.onFlushError?.(error, attempt, batch);
        } catch {
          // A failing log callback must not turn a counted, retried sink failure into a lost batch.
        }
      }
    }
    for (const write of batch) {
      this.#deadLetters.push({ write, attempts: this.#settings.maxAttempts, error: lastError });
      // Keep the newest for inspection; the count in stats stays exact.
      if (this.#deadLetters.length > MAX_KEPT_DEAD_LETTERS) this.#deadLetters.shift();
    }
    this.#deadLettered += batch.length;
    this.#settle(pending);
  }

  /** Remove a finished head batch (only enqueue appends meanwhile, so the head is unchanged). */
  #settle(batch: readonly PendingWrite[]): void {
    this.#queue = this.#queue.slice(batch.length);
    for (const write of batch) {
      if (this.#latest.get(write.key) === write) this.#latest.delete(write.key);
    }
  }
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

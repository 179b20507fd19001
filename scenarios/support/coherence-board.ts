// What writers and the readers of another client share to judge staleness without a clock: per key,
// the newest version whose write was acknowledged (committed and, on a coherent profile,
// invalidated) — published by the writer after its write returned — and the readers' counters.
// Both live in SharedArrayBuffers, so a worker thread reads them with Atomics, no message in
// between. A reader loads the key's acknowledged version *before* it starts its read: anything
// older than that comes back stale. Publishing after the acknowledgement only ever lowers the bar
// (a read that began between commit and publish is held to the previous version), so a stale read
// is never counted for a write that had not been acknowledged when the read began.

/** The plain data a worker thread needs to open the same board. */
export interface CoherenceBoardBuffers {
  readonly versions: SharedArrayBuffer;
  readonly counters: SharedArrayBuffer;
}

/**
 * Cumulative counters (the scenario records measure-phase deltas): the second client's reads, stale
 * reads and failed reads, and the same judgement of the writing process's own cached reads.
 */
export const BOARD_COUNTERS = ['reads', 'staleReads', 'errors', 'localReads', 'localStaleReads'] as const;
export type BoardCounter = (typeof BOARD_COUNTERS)[number];

export class CoherenceBoard {
  readonly buffers: CoherenceBoardBuffers;
  readonly #versions: Int32Array;
  readonly #counters: Int32Array;

  private constructor(buffers: CoherenceBoardBuffers) {
    this.buffers = buffers;
    this.#versions = new Int32Array(buffers.versions);
    this.#counters = new Int32Array(buffers.counters);
  }

  /** A board for keys [0, keys): every version starts at 0 (nothing acknowledged yet). */
  static create(keys: number): CoherenceBoard {
    if (!Number.isInteger(keys) || keys < 1)
      throw new RangeError(`coherence board needs a positive key count, got ${keys}`);
    return new CoherenceBoard({
      versions: new SharedArrayBuffer(keys * Int32Array.BYTES_PER_ELEMENT),
      counters: new SharedArrayBuffer(BOARD_COUNTERS.length * Int32Array.BYTES_PER_ELEMENT),
    });
  }

  /** The board another thread created (from its `buffers`). */
  static open(buffers: CoherenceBoardBuffers): CoherenceBoard {
    return new CoherenceBoard(buffers);
  }

  get keys(): number {
    return this.#versions.length;
  }

  /** Record that `version` of `key` was acknowledged. Never lowers the board (publishers may race). */
  publish(key: number, version: number): void {
    this.#checkKey(key);
    for (;;) {
      const current = Atomics.load(this.#versions, key);
      if (version <= current) return;
      if (Atomics.compareExchange(this.#versions, key, current, version) === current) return;
    }
  }

  /** The newest acknowledged version of `key`: what a read starting now must return at least. */
  required(key: number): number {
    this.#checkKey(key);
    return Atomics.load(this.#versions, key);
  }

  add(counter: BoardCounter, by = 1): void {
    Atomics.add(this.#counters, BOARD_COUNTERS.indexOf(counter), by);
  }

  read(counter: BoardCounter): number {
    return Atomics.load(this.#counters, BOARD_COUNTERS.indexOf(counter));
  }

  #checkKey(key: number): void {
    if (!Number.isInteger(key) || key < 0 || key >= this.#versions.length)
      throw new RangeError(`coherence board key ${key} is outside [0, ${this.#versions.length})`);
  }
}

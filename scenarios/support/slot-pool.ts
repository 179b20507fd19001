// A fixed set of numbered slots handed out one holder at a time (e.g. the probe experiments of
// cross-store-consistency: two probes writing one experiment would hide each other's token).
export class SlotPool implements AsyncDisposable {
  readonly #free: number[];

  constructor(size: number) {
    if (!Number.isInteger(size) || size < 1) throw new RangeError(`slot pool size must be ≥ 1, got ${size}`);
    this.#free = Array.from({ length: size }, (_, i) => size - 1 - i);
  }

  /** A slot nobody holds, lowest first; undefined when every slot is held. */
  take(): number | undefined {
    return this.#free.pop();
  }

  release(slot: number): void {
    if (this.#free.includes(slot)) throw new Error(`slot ${slot} released twice`);
    this.#free.push(slot);
    this.#free.sort((a, b) => b - a);
  }

  [Symbol.asyncDispose](): Promise<void> {
    return Promise.resolve();
  }
}

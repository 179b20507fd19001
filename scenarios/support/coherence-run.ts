// One system's coherence check for the length of a scenario run: the board the writers publish to,
// the second client reading against it, and the counters the scenario's snapshot reports. Attached
// to the system under test (sut.attach), so it is opened once and closed with the system.
import type { SystemUnderTest } from '../../reference-dal/profiles/system-under-test.ts';
import { CoherenceBoard } from './coherence-board.ts';
import { SecondClient, SecondClientError } from './second-client.ts';

export interface CoherenceRunOptions {
  /** Keys [0, keys) are judged; key k is the entity `${idPrefix}${k}`. */
  readonly keys: number;
  readonly idPrefix: string;
  /** Cache namespace of the entities (`sut.key(namespace, id)`). */
  readonly namespace: string;
  /** Read loops in the second client. */
  readonly readers: number;
  /** Seeds the second client's key choices. */
  readonly seed: number;
  /** Extra time each of the second client's loads takes (see second-client-protocol.ts). */
  readonly loadDelayMs: number;
  readonly readyTimeoutMs?: number;
}

export type CoherenceCounters = Record<
  'staleReads' | 'coherenceReads' | 'secondClientReads' | 'secondClientReadErrors',
  number
>;

export class CoherenceRun implements AsyncDisposable {
  readonly board: CoherenceBoard;
  readonly #client: SecondClient;
  #snapshots = 0;
  #readsBefore = 0;

  private constructor(board: CoherenceBoard, client: SecondClient) {
    this.board = board;
    this.#client = client;
  }

  /** Start the second client on `sut`'s stores; resolves once it is reading. */
  static async open(sut: SystemUnderTest, options: CoherenceRunOptions): Promise<CoherenceRun> {
    const board = CoherenceBoard.create(options.keys);
    const setup = sut.clientSetup();
    const client = await SecondClient.start(
      {
        configs: setup.configs.map((c) => ({ ...c })),
        ...(setup.cache ? { cache: { ...setup.cache } } : {}),
        board,
        readers: options.readers,
        keys: { type: 'zipfian' },
        idPrefix: options.idPrefix,
        namespace: options.namespace,
        seed: options.seed,
        loadDelayMs: options.loadDelayMs,
      },
      options.readyTimeoutMs === undefined ? {} : { readyTimeoutMs: options.readyTimeoutMs },
    );
    return new CoherenceRun(board, client);
  }

  /** Throws when the second client stopped reading on its own: nothing it did not read can be judged. */
  assertReading(): void {
    const failure = this.#client.failure;
    if (failure) throw new SecondClientError(`the second client stopped reading: ${failure}`);
  }

  /** Judge a read of key `key` made by this process, which began when the board said `required`. */
  judgeLocal(required: number, version: number): void {
    this.board.add('localReads');
    if (version < required) this.board.add('localStaleReads');
  }

  /**
   * Cumulative counters. The runner snapshots before and after the measure phase and records the
   * difference; odd calls are "before", even calls "after" (a system may be measured twice, by the
   * dal and the http driver).
   */
  snapshot(): { phase: 'before' | 'after'; counters: CoherenceCounters } {
    this.assertReading();
    const phase = this.#snapshots++ % 2 === 0 ? 'before' : 'after';
    const b = this.board;
    if (phase === 'before') this.#readsBefore = b.read('reads');
    else if (b.read('reads') === this.#readsBefore) {
      // Zero stale reads out of zero reads is no evidence: refuse to report it.
      throw new SecondClientError(
        `the second client made no read during the measure phase${this.firstError ? ` (first error: ${this.firstError})` : ''}`,
      );
    }
    return {
      phase,
      counters: {
        staleReads: b.read('staleReads') + b.read('localStaleReads'),
        coherenceReads: b.read('reads') + b.read('localReads'),
        secondClientReads: b.read('reads'),
        secondClientReadErrors: b.read('errors'),
      },
    };
  }

  /** The first read error of the second client, for a failure message. */
  get firstError(): string | undefined {
    return this.#client.firstError;
  }

  async [Symbol.asyncDispose](): Promise<void> {
    await this.#client[Symbol.asyncDispose]();
  }
}

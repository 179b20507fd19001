// The deterministic operation sequence of one stream (a closed-loop worker or an open-loop
// shard): which operation, which key, what value size. It depends only on (seed, stream,
// scenario), never on timing, so the same seed and config replay the same sequence.
import { createKeyChooser, type KeyChooser } from './distributions.ts';
import { Rng } from './random.ts';
import { drawSize, type Scenario, type SizeSpec } from './scenario.ts';

/** Sub-stream labels under the run seed (fixed numbers: changing one changes every replay). */
export const STREAM = { plan: 1, operation: 2, arrival: 3, load: 4 } as const;

export interface PlannedOperation {
  /** Index into scenario.operations. */
  readonly op: number;
  readonly key: number;
  readonly keyCount: number;
  readonly valueSize: number;
}

export class OperationPlanner {
  private readonly rng: Rng;
  private readonly cumulative: Float64Array;
  private readonly total: number;
  private readonly choosers: readonly KeyChooser[];
  private readonly sizes: readonly SizeSpec[];
  private readonly inserts: readonly boolean[];
  private readonly records: number;
  private inserted = 0;

  /**
   * @param stream this stream's global index in [0, streamCount)
   * @param streamCount all streams of the run (across shards): inserted keys are interleaved by stream so they never collide
   */
  constructor(
    scenario: Scenario<unknown>,
    seed: number,
    private readonly stream: number,
    private readonly streamCount: number,
  ) {
    this.rng = Rng.at(seed, STREAM.plan, stream);
    const ops = scenario.operations;
    this.cumulative = new Float64Array(ops.length);
    let sum = 0;
    ops.forEach((op, i) => {
      sum += op.weight;
      this.cumulative[i] = sum;
    });
    this.total = sum;
    this.choosers = ops.map((op) => createKeyChooser(op.keys));
    this.sizes = ops.map((op) => op.valueSize);
    this.inserts = ops.map((op) => op.inserts);
    this.records = scenario.data.records;
  }

  /** Keys in this stream's view: loaded records plus every stream's inserts at this stream's pace. */
  get keyCount(): number {
    return this.records + this.inserted * this.streamCount;
  }

  next(): PlannedOperation {
    const op = this.pick();
    let key: number;
    if (this.inserts[op]) {
      key = this.records + this.inserted * this.streamCount + this.stream;
      this.inserted++;
    } else {
      key = this.choosers[op]!.next(this.rng, this.keyCount);
    }
    return { op, key, keyCount: this.keyCount, valueSize: drawSize(this.sizes[op]!, this.rng) };
  }

  private pick(): number {
    const x = this.rng.next() * this.total;
    const c = this.cumulative;
    const last = c.length - 1;
    for (let i = 0; i < last; i++) if (x < c[i]!) return i;
    return last;
  }
}

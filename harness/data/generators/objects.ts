// Model artifacts of varied sizes: log-uniform between the scale's bounds, with a small share of
// large ones (multipart uploads). Object i depends only on (seed, i) and the size bounds: at every
// named scale (same bounds) the first N objects are identical. Bytes are produced on demand.
import { Rng } from '../../workload/random.ts';
import type { ObjectScale } from '../scale.ts';
import { STREAMS } from './hash.ts';

export const ARTIFACT_CONTENT_TYPE = 'application/octet-stream';

export interface GeneratedObject {
  /** Key relative to the dataset's prefix. */
  readonly key: string;
  readonly size: number;
  readonly contentType: string;
  readonly metadata: Readonly<Record<string, string>>;
  /** The content (allocated on each call; a loader calls it once). */
  bytes(): Uint8Array;
}

export function objectKey(index: number): string {
  return `artifacts/${String(index).padStart(7, '0')}.bin`;
}

export class ObjectGenerator {
  readonly seed: number;
  readonly scale: ObjectScale;

  constructor(options: { seed: number; scale: ObjectScale }) {
    const s = options.scale;
    if (!Number.isSafeInteger(s.count) || s.count < 1)
      throw new RangeError(`objects.count: expected a positive integer, got ${s.count}`);
    if (!(s.minBytes >= 1 && s.maxBytes >= s.minBytes && s.largeMaxBytes >= s.largeMinBytes)) {
      throw new RangeError('objects: expected 1 ≤ minBytes ≤ maxBytes and largeMinBytes ≤ largeMaxBytes');
    }
    this.seed = options.seed;
    this.scale = s;
  }

  get total(): number {
    return this.scale.count;
  }

  object(index: number): GeneratedObject {
    const rng = Rng.at(this.seed, STREAMS.objects, index);
    const s = this.scale;
    const large = rng.next() < s.largeShare;
    const [lo, hi] = large ? [s.largeMinBytes, s.largeMaxBytes] : [s.minBytes, s.maxBytes];
    const size = Math.round(lo * (hi / lo) ** rng.next());
    const contentSeed = rng.uint32();
    return {
      key: objectKey(index),
      size,
      contentType: ARTIFACT_CONTENT_TYPE,
      metadata: Object.freeze({ index: String(index), model: `model-${index % 97}` }),
      bytes: () => new Rng(contentSeed).bytes(size),
    };
  }

  *objects(): Generator<GeneratedObject> {
    for (let i = 0; i < this.scale.count; i++) yield this.object(i);
  }

  /** Total bytes of the dataset (walks the sizes; no content is generated). */
  totalBytes(): number {
    let sum = 0;
    for (let i = 0; i < this.scale.count; i++) sum += this.object(i).size;
    return sum;
  }
}

// Experiment documents for full-text search: Zipf-distributed words over a generated vocabulary
// (common terms match most documents, rare ones a handful), planted phrases, and keyword fields
// for filtered and aggregated search. Document i depends only on (seed, i): the first N documents
// are the same at every scale.
import type { JsonDocument } from '../../../reference-dal/ports/documents.ts';
import { Rng } from '../../workload/random.ts';
import { DATA_END_MS, type DocumentScale } from '../scale.ts';
import { STREAMS } from './hash.ts';
import { ZipfVocabulary, phrases, wordOf } from './vocabulary.ts';

export const STATUSES = ['running', 'completed', 'failed', 'queued'] as const;
const STATUS_WEIGHTS = [0.2, 0.6, 0.1, 0.1] as const;
export const TEAMS = 20;
export const TAGS = 50;
/** Chance a document's description carries one of the planted phrases. */
export const PHRASE_SHARE = 0.2;
const DAY_MS = 86_400_000;
const HOT_WORDS = 1 << 16;

export interface GeneratedDocument {
  readonly id: string;
  readonly document: JsonDocument;
}

export function documentId(index: number): string {
  return `doc-${String(index).padStart(8, '0')}`;
}

export interface DocumentGeneratorOptions {
  readonly seed: number;
  readonly scale: DocumentScale;
  /** Share one (8 MiB) Zipf table between generators of the same process. */
  readonly vocabulary?: ZipfVocabulary;
}

/** A small Zipf over n items (teams, tags): item 0 is the most frequent. */
function smallZipf(rng: Rng, n: number): number {
  // Inverse of the continuous 1/x density over [1, n + 1): floor((n + 1)^u) − 1.
  return Math.min(n - 1, Math.floor((n + 1) ** rng.next()) - 1);
}

export class DocumentGenerator {
  readonly seed: number;
  readonly scale: DocumentScale;
  readonly vocabulary: ZipfVocabulary;
  readonly phrases: readonly string[];
  /** Words of the most frequent ranks, built once (most drawn words are among them). */
  readonly #hot: readonly string[];

  constructor(options: DocumentGeneratorOptions) {
    const { count, wordsPerDoc } = options.scale;
    if (!Number.isSafeInteger(count) || count < 1)
      throw new RangeError(`documents.count: expected a positive integer, got ${count}`);
    if (!(wordsPerDoc.min >= 1 && wordsPerDoc.max >= wordsPerDoc.min)) {
      throw new RangeError(
        `documents.wordsPerDoc: expected 1 ≤ min ≤ max, got ${wordsPerDoc.min}-${wordsPerDoc.max}`,
      );
    }
    this.seed = options.seed;
    this.scale = options.scale;
    this.vocabulary = options.vocabulary ?? new ZipfVocabulary();
    this.phrases = phrases(options.seed);
    this.#hot = Array.from({ length: HOT_WORDS }, (_, rank) => wordOf(rank));
  }

  get total(): number {
    return this.scale.count;
  }

  /** Mean words per document (description plus title), for expected document frequencies. */
  get meanWords(): number {
    return (this.scale.wordsPerDoc.min + this.scale.wordsPerDoc.max) / 2 + 4.5;
  }

  /** Document `index` (any index, also beyond this scale's count). */
  document(index: number): GeneratedDocument {
    const rng = Rng.at(this.seed, STREAMS.documents, index);
    const words = (n: number) => {
      const out: string[] = new Array<string>(n);
      for (let w = 0; w < n; w++) {
        const rank = this.vocabulary.draw(rng);
        out[w] = rank < HOT_WORDS ? this.#hot[rank]! : wordOf(rank);
      }
      return out;
    };
    const title = words(3 + rng.int(4)).join(' ');
    const { min, max } = this.scale.wordsPerDoc;
    const body = words(rng.between(min, max));
    if (rng.next() < PHRASE_SHARE) {
      const phrase = this.phrases[rng.int(this.phrases.length)]!;
      body.splice(rng.int(body.length + 1), 0, phrase);
    }
    let u = rng.next();
    let status: string = 'queued';
    for (let s = 0; s < STATUSES.length; s++) {
      u -= STATUS_WEIGHTS[s]!;
      if (u < 0) {
        status = STATUSES[s]!;
        break;
      }
    }
    const tagCount = 1 + rng.int(3);
    const tags = [...new Set(Array.from({ length: tagCount }, () => `tag-${smallZipf(rng, TAGS)}`))];
    const document: JsonDocument = {
      title,
      description: body.join(' '),
      status,
      team: `team-${String(smallZipf(rng, TEAMS)).padStart(2, '0')}`,
      tags,
      priority: 1 + rng.int(5),
      createdAt: new Date(DATA_END_MS - Math.floor(rng.next() * 365 * DAY_MS)).toISOString(),
      metrics: { precision: Math.round(rng.next() * 1e4) / 1e4, recall: Math.round(rng.next() * 1e4) / 1e4 },
      seq: index,
    };
    return { id: documentId(index), document };
  }

  *documents(): Generator<GeneratedDocument> {
    for (let i = 0; i < this.scale.count; i++) yield this.document(i);
  }

  /** Terms for query shapes at this scale: common (most documents match), rare (a handful), phrases. */
  queryTerms(): { common: string[]; rare: string[]; phrases: readonly string[] } {
    const n = this.scale.count;
    const words = this.meanWords;
    const rareRank = this.vocabulary.rankWithDocumentFrequency(Math.min(5, n), n, words);
    return {
      common: [0, 1, 2, 3, 4].map(wordOf),
      // A band just above the rank expected in ~5 documents: each expected in about 5-10.
      rare: Array.from({ length: 5 }, (_, i) => wordOf(Math.max(0, rareRank - i * 3))),
      phrases: this.phrases,
    };
  }
}

// A generated vocabulary with Zipf-distributed word frequencies: rank 0 is the most common word.
// Words are pronounceable consonant-vowel syllables over {a, o, u} and consonants that no English
// stemmer suffix rule matches (no e, i, s, l, n, y), so PostgreSQL's `english` tsvector and
// Elasticsearch's standard analyzer both keep each word as one distinct term; distinct ranks give
// distinct words. One fixed universe at every scale: distinct terms in a corpus grow with its size.
import { Rng } from '../../workload/random.ts';
import { STREAMS } from './hash.ts';

const CONSONANTS = ['b', 'd', 'g', 'k', 'm', 'p', 'r', 't', 'v', 'z'] as const;
const VOWELS = ['a', 'o', 'u'] as const;
const SYLLABLES = CONSONANTS.flatMap((c) => VOWELS.map((v) => c + v));
const BASE = SYLLABLES.length; // 30

/** Words in the universe (ranks 0 … size-1). */
export const VOCABULARY_SIZE = 1 << 20;
/** Zipf exponent of natural-language word frequencies. */
export const ZIPF_EXPONENT = 1.15;

/** The word of a rank: base-30 syllables of (rank + 30), so at least two syllables; injective. */
export function wordOf(rank: number): string {
  if (!Number.isSafeInteger(rank) || rank < 0)
    throw new RangeError(`rank must be a non-negative integer, got ${rank}`);
  let n = rank + BASE;
  let word = '';
  while (n > 0) {
    word = SYLLABLES[n % BASE]! + word;
    n = Math.floor(n / BASE);
  }
  return word;
}

/** The rank of a generated word, or undefined for words not of this vocabulary. */
export function rankOf(word: string): number | undefined {
  if (!/^(?:[bdgkmprtvz][aou])+$/.test(word)) return undefined;
  let n = 0;
  for (let i = 0; i < word.length; i += 2) n = n * BASE + SYLLABLES.indexOf(word.slice(i, i + 2));
  const rank = n - BASE;
  return rank >= 0 && wordOf(rank) === word ? rank : undefined;
}

/** Zipf(s) over ranks 0 … size-1 by inverse CDF (binary search over a cumulative table). */
export class ZipfVocabulary {
  readonly size: number;
  readonly exponent: number;
  readonly #cdf: Float64Array;

  constructor(size = VOCABULARY_SIZE, exponent = ZIPF_EXPONENT) {
    if (!Number.isSafeInteger(size) || size < 1)
      throw new RangeError(`vocabulary size must be a positive integer`);
    if (!(exponent > 0)) throw new RangeError('zipf exponent must be positive');
    this.size = size;
    this.exponent = exponent;
    this.#cdf = new Float64Array(size);
    let sum = 0;
    for (let r = 0; r < size; r++) {
      sum += 1 / (r + 1) ** exponent;
      this.#cdf[r] = sum;
    }
    for (let r = 0; r < size; r++) this.#cdf[r]! /= sum;
  }

  /** Probability of rank `rank` per drawn word. */
  probability(rank: number): number {
    return this.#cdf[rank]! - (rank === 0 ? 0 : this.#cdf[rank - 1]!);
  }

  /** The rank for a uniform u in [0, 1). */
  rankFor(u: number): number {
    const cdf = this.#cdf;
    let lo = 0;
    let hi = cdf.length - 1;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (cdf[mid]! > u) hi = mid;
      else lo = mid + 1;
    }
    return lo;
  }

  draw(rng: Rng): number {
    return this.rankFor(rng.next());
  }

  /**
   * Expected number of `documents` (of `wordsPerDoc` words on average) containing the word of
   * `rank`: documents × (1 − (1 − p)^wordsPerDoc). Phrases add a little to their words' counts.
   */
  expectedDocumentFrequency(rank: number, documents: number, wordsPerDoc: number): number {
    return documents * (1 - (1 - this.probability(rank)) ** wordsPerDoc);
  }

  /** The lowest-frequency rank whose expected document frequency is still ≥ `documentsWanted`. */
  rankWithDocumentFrequency(documentsWanted: number, documents: number, wordsPerDoc: number): number {
    let lo = 0;
    let hi = this.size - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >>> 1;
      if (this.expectedDocumentFrequency(mid, documents, wordsPerDoc) >= documentsWanted) lo = mid;
      else hi = mid - 1;
    }
    return lo;
  }
}

/** Fixed multi-word phrases planted in documents (for phrase queries); drawn from mid-frequency ranks. */
export function phrases(seed: number, count = 50): string[] {
  const rng = Rng.at(seed, STREAMS.vocabulary, 1);
  return Array.from({ length: count }, () => {
    const words = 2 + rng.int(2);
    return Array.from({ length: words }, () => wordOf(200 + rng.int(5_000))).join(' ');
  });
}

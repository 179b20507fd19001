// The in-memory oracle of the document contract: last accepted write per id, external versions
// honoured, search = every query word among the words of the document's string values.
import type { JsonDocument } from '../../reference-dal/ports/documents.ts';

export interface ModelEntry {
  readonly document: JsonDocument;
  readonly version: number;
}

/** Lowercase ASCII words: both the ES standard analyzer and PostgreSQL's 'simple' parser agree on these. */
export function words(text: string): string[] {
  return text.toLowerCase().match(/[a-z0-9]+/g) ?? [];
}

export function stringLeaves(value: unknown): string[] {
  if (typeof value === 'string') return [value];
  if (Array.isArray(value)) return value.flatMap(stringLeaves);
  if (value !== null && typeof value === 'object') return Object.values(value).flatMap(stringLeaves);
  return [];
}

export class DocumentModel {
  readonly entries = new Map<string, ModelEntry>();
  /** Ids ever deleted: stores differ in how long they remember a deleted version (ES tombstones). */
  readonly deleted = new Set<string>();

  index(id: string, document: JsonDocument, version?: number): 'indexed' | 'stale' {
    const previous = this.entries.get(id);
    if (version !== undefined && previous && previous.version >= version) return 'stale';
    this.entries.set(id, { document, version: version ?? (previous?.version ?? 0) + 1 });
    return 'indexed';
  }

  /** With `version` (external), only an older stored version is deleted. */
  delete(id: string, version?: number): boolean {
    // Any delete may leave a tombstone (Elasticsearch), so the id counts as deleted from here on.
    this.deleted.add(id);
    const stored = this.entries.get(id);
    if (!stored || (version !== undefined && stored.version >= version)) return false;
    return this.entries.delete(id);
  }

  /**
   * Ids whose `fields` (default: all string values) hold every word of `text` — or, as a `phrase`,
   * one string value holds the words adjacent and in order — and match `filters`.
   */
  matching(
    text: string,
    filters: Readonly<Record<string, string | number | boolean>> = {},
    fields?: readonly string[],
    phrase = false,
  ): string[] {
    const wanted = words(text);
    return [...this.entries.entries()]
      .filter(([, { document }]) => {
        const searched = fields === undefined ? [document] : fields.map((f) => document[f]);
        const leaves = stringLeaves(searched).map(words);
        const found = phrase
          ? leaves.some((leaf) => containsRun(leaf, wanted))
          : containsAll(leaves.flat(), wanted);
        if (wanted.length > 0 && !found) return false;
        return Object.entries(filters).every(([field, value]) => {
          const actual = document[field];
          return Array.isArray(actual) ? actual.includes(value) : actual === value;
        });
      })
      .map(([id]) => id)
      .sort();
  }

  /** Terms aggregation over the matching documents: each distinct value counted once per document. */
  aggregate(ids: readonly string[], field: string): Map<string, number> {
    const counts = new Map<string, number>();
    for (const id of ids) {
      const value = this.entries.get(id)?.document[field];
      const values = new Set(
        (Array.isArray(value) ? value : [value]).filter((v) => v !== undefined && v !== null),
      );
      for (const v of values) counts.set(String(v), (counts.get(String(v)) ?? 0) + 1);
    }
    return counts;
  }
}

function containsAll(have: readonly string[], wanted: readonly string[]): boolean {
  const set = new Set(have);
  return wanted.every((w) => set.has(w));
}

/** `wanted` appears in `words` as a contiguous run (an empty run appears everywhere). */
function containsRun(words: readonly string[], wanted: readonly string[]): boolean {
  if (wanted.length === 0) return true;
  for (let i = 0; i + wanted.length <= words.length; i++) {
    if (wanted.every((w, j) => words[i + j] === w)) return true;
  }
  return false;
}

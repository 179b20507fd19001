// Stable, readable cache keys: `prefix:namespace:part:part`. Every character that means something to
// Redis glob matching (`* ? [ ] \`), the separator `:` and the escape `%` itself are percent-encoded
// in namespaces and parts, so a key is its own literal MATCH pattern and no part can widen a pattern.
import { ValidationError } from '../errors.ts';

export type KeyPart = string | number;

/** A wildcard segment in a pattern: Redis `*`, any text (it may span several segments, as in Redis). */
export const ANY: unique symbol = Symbol('cache-key-any');
export type PatternPart = KeyPart | typeof ANY;

declare const patternBrand: unique symbol;
/** A MATCH pattern built by `CacheKeys.pattern`, never a raw string, so its literal parts are escaped. */
export type CachePattern = string & { readonly [patternBrand]: true };

const SPECIAL = /[%:*?[\]\\]/g;
const ENCODED: Readonly<Record<string, string>> = {
  '%': '%25',
  ':': '%3A',
  '*': '%2A',
  '?': '%3F',
  '[': '%5B',
  ']': '%5D',
  '\\': '%5C',
};

/** Percent-encode the characters that are special in keys or glob patterns; everything else is kept readable. */
export function escapeKeyPart(part: KeyPart): string {
  const text = typeof part === 'number' ? String(part) : part;
  return text.replace(SPECIAL, (char) => ENCODED[char] ?? char);
}

const PREFIX = /^[A-Za-z0-9_.-]+(?::[A-Za-z0-9_.-]+)*$/;

export class CacheKeys {
  readonly prefix: string;

  /** `prefix`: one or more `:`-separated segments of `[A-Za-z0-9_.-]`, e.g. `dalbench:test-1a2b`. */
  constructor(prefix: string) {
    if (!PREFIX.test(prefix)) {
      throw new ValidationError(
        'cache prefix',
        `"${prefix}" must be ":"-separated segments of letters, digits, "_", "." or "-"`,
      );
    }
    this.prefix = prefix;
  }

  key(namespace: string, ...parts: readonly KeyPart[]): string {
    if (namespace.length === 0) throw new ValidationError('cache namespace', 'must not be empty');
    let key = `${this.prefix}:${escapeKeyPart(namespace)}`;
    for (const part of parts) key += `:${escapeKeyPart(part)}`;
    return key;
  }

  /** A pattern shaped like `key()`, where `ANY` stands for any text: `pattern('user', 7, ANY)` → `prefix:user:7:*`. */
  pattern(namespace: string, ...parts: readonly PatternPart[]): CachePattern {
    if (namespace.length === 0) throw new ValidationError('cache namespace', 'must not be empty');
    let pattern = `${this.prefix}:${escapeKeyPart(namespace)}`;
    for (const part of parts) pattern += part === ANY ? ':*' : `:${escapeKeyPart(part)}`;
    return pattern as CachePattern;
  }

  /** Every key under this prefix (all namespaces). */
  everything(): CachePattern {
    return `${this.prefix}:*` as CachePattern;
  }

  /** Whether a full key belongs to this prefix (keys from elsewhere are refused, not silently written). */
  owns(key: string): boolean {
    return key.startsWith(this.prefix) && key.charCodeAt(this.prefix.length) === 58; /* ':' */
  }
}

// Hostile input for the fuzz suites: injection strings for every query language and path the stores
// and files speak (SQL, Lucene, path traversal, HTTP headers), plus the text that breaks encoders
// (NUL, lone surrogates, very long strings, astral and combining characters).
import fc from 'fast-check';

/** Fixed attack strings: each must either work exactly or be refused with an error naming the input. */
export const INJECTIONS: readonly string[] = [
  "'; DROP TABLE x; --",
  "' OR '1'='1",
  '"; DELETE FROM metadata; --',
  '$$; SELECT pg_sleep(10); $$',
  "\\'; --",
  'field:(a OR b)^3 ~ * ?',
  'title:"x" AND NOT body:/.*/',
  '+-&&||!(){}[]^"~*?:\\/',
  '*:*',
  '../../etc/passwd',
  '..\\..\\windows\\win.ini',
  '%2e%2e/%2e%2e/etc/passwd',
  '/absolute/path',
  'a\u0000b',
  '\r\nX-Injected: 1',
  'ok\nSet-Cookie: a=b',
  '\ud800',
  'x\udfffy',
  '${process.exit(1)}',
  '<script>alert(1)</script>',
  '{{7*7}}',
  'ü/ключ/漢字/😀',
  'e\u0301\u200b\ufeff',
  '',
  ' ',
  '.',
  '..',
];

/** Any string an attacker or a typo can produce, biased towards the attack list. */
export const hostileString: fc.Arbitrary<string> = fc.oneof(
  { weight: 4, arbitrary: fc.constantFrom(...INJECTIONS) },
  {
    weight: 2,
    arbitrary: fc
      .tuple(fc.string({ maxLength: 8 }), fc.constantFrom(...INJECTIONS), fc.string({ maxLength: 8 }))
      .map(([a, b, c]) => a + b + c),
  },
  { weight: 2, arbitrary: fc.string({ unit: 'binary', maxLength: 40 }) },
  { weight: 1, arbitrary: fc.string({ unit: 'grapheme', maxLength: 20 }) },
  { weight: 1, arbitrary: fc.integer({ min: 1000, max: 20_000 }).map((n) => 'A'.repeat(n)) },
);

/** A JSON-ish value of the wrong shape anywhere a field is expected. */
export const hostileValue: fc.Arbitrary<unknown> = fc.oneof(
  hostileString,
  fc.constantFrom(null, undefined, true, false, 0, -1, 1.5, NaN, Infinity, -Infinity, 2 ** 53, -0),
  fc.array(hostileString, { maxLength: 3 }),
  fc.dictionary(hostileString, hostileString, { maxKeys: 3 }),
  fc.object({ maxDepth: 2, maxKeys: 3 }),
);

/** True for a string with an unpaired UTF-16 surrogate (not representable in UTF-8). */
export function hasLoneSurrogate(value: string): boolean {
  return /[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/.test(value);
}

/** An error from deep inside (a bug), not an input error a caller can act on. */
export function isInternalError(error: unknown): boolean {
  return (
    error instanceof TypeError ||
    error instanceof RangeError ||
    error instanceof ReferenceError ||
    error instanceof SyntaxError
  );
}

/** An assertion message for whatever was thrown. */
export function shownError(error: unknown): string {
  return error instanceof Error ? `${error.name}: ${error.message}` : `non-Error thrown: ${typeof error}`;
}

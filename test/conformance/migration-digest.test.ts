// The content digests migration verification relies on: canonical JSON equal exactly when the
// content is, SHA-256 as specified, a set digest independent of order (and wrapping at 2^256), and
// the verification table as printed. Pure: no store.
import { createHash } from 'node:crypto';
import { isDeepStrictEqual } from 'node:util';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { assertProperty } from '../../harness/conformance/support/seed.ts';
import { canonicalJson, SetDigest, sha256Hex } from '../../reference-dal/migration/digest.ts';
import { formatVerificationTable } from '../../reference-dal/migration/verify.ts';

/** Shuffle an object's keys (deterministically from `order`), recursively. */
function reorder(value: unknown, order: number): unknown {
  if (Array.isArray(value)) return value.map((v) => reorder(v, order));
  if (value !== null && typeof value === 'object') {
    const entries = Object.entries(value);
    const rotated = entries
      .slice(order % (entries.length || 1))
      .concat(entries.slice(0, order % (entries.length || 1)));
    return Object.fromEntries(rotated.reverse().map(([k, v]) => [k, reorder(v, order)]));
  }
  return value;
}

const json = fc.jsonValue({ maxDepth: 3 });

describe('canonicalJson', () => {
  it('is the same for the same content whatever the key order, and parses back to that content', async () => {
    await assertProperty(
      fc.asyncProperty(json, fc.nat(), async (value, order) => {
        const text = canonicalJson(value);
        expect(canonicalJson(reorder(value, order))).toBe(text);
        expect(JSON.parse(text)).toEqual(JSON.parse(JSON.stringify(value)));
        await Promise.resolve();
      }),
      300,
    );
  });

  it('differs whenever the content differs', async () => {
    await assertProperty(
      fc.asyncProperty(json, json, async (a, b) => {
        // Compared as JSON would carry them (-0 is 0, key order is not content).
        fc.pre(!isDeepStrictEqual(JSON.parse(JSON.stringify(a)), JSON.parse(JSON.stringify(b))));
        expect(canonicalJson(a)).not.toBe(canonicalJson(b));
        await Promise.resolve();
      }),
      300,
    );
  });

  it('sorts keys, keeps array order, writes dates as ISO strings and undefined as null', () => {
    expect(canonicalJson({ b: [2, 1], a: { d: 'x', c: null } })).toBe('{"a":{"c":null,"d":"x"},"b":[2,1]}');
    expect(canonicalJson(new Date(Date.UTC(2026, 0, 5, 1, 2, 3, 4)))).toBe('"2026-01-05T01:02:03.004Z"');
    expect(canonicalJson({ at: new Date(0) })).toBe('{"at":"1970-01-01T00:00:00.000Z"}');
    expect(canonicalJson(undefined)).toBe('null');
    expect(canonicalJson([])).toBe('[]');
    expect(canonicalJson({})).toBe('{}');
    expect(canonicalJson('a"b')).toBe('"a\\"b"');
  });
});

describe('sha256Hex', () => {
  it('is SHA-256 in lowercase hex, for text and bytes alike', () => {
    expect(sha256Hex('abc')).toBe('ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad');
    expect(sha256Hex(new TextEncoder().encode('abc'))).toBe(sha256Hex('abc'));
    expect(sha256Hex('')).toBe(createHash('sha256').update('').digest('hex'));
  });
});

describe('SetDigest', () => {
  const hex = fc.uint8Array({ minLength: 32, maxLength: 32 }).map((b) => Buffer.from(b).toString('hex'));

  it('is the sum of the hashes mod 2^256: any order gives the same digest and count', async () => {
    await assertProperty(
      fc.asyncProperty(fc.array(hex, { maxLength: 20 }), fc.nat(), async (hashes, order) => {
        const forward = new SetDigest();
        const shuffled = new SetDigest();
        for (const h of hashes) forward.add(h);
        const rotated = hashes
          .slice(order % (hashes.length || 1))
          .concat(hashes.slice(0, order % (hashes.length || 1)));
        for (const h of rotated.reverse()) shuffled.add(h);
        const expected = hashes.reduce((sum, h) => (sum + BigInt(`0x${h}`)) % (1n << 256n), 0n);
        expect(forward.hex).toBe(expected.toString(16).padStart(64, '0'));
        expect(shuffled.hex).toBe(forward.hex);
        expect(forward.count).toBe(hashes.length);
        await Promise.resolve();
      }),
      200,
    );
  });

  it('starts at 64 zeros, pads small sums and wraps at 2^256', () => {
    const digest = new SetDigest();
    expect(digest.hex).toBe('0'.repeat(64));
    expect(digest.count).toBe(0);
    digest.add('0'.repeat(63) + '1');
    expect(digest.hex).toBe('0'.repeat(63) + '1');
    digest.add('f'.repeat(64));
    expect(digest.hex).toBe('0'.repeat(64)); // 1 + (2^256 - 1) wraps to 0
    expect(digest.count).toBe(2);
  });

  it('tells a missing record from a duplicated one (different sums)', () => {
    const a = sha256Hex('a');
    const b = sha256Hex('b');
    const both = new SetDigest();
    both.add(a);
    both.add(b);
    const twice = new SetDigest();
    twice.add(a);
    twice.add(a);
    expect(twice.hex).not.toBe(both.hex);
  });
});

describe('formatVerificationTable', () => {
  it('prints one aligned line per data type, then each first difference', () => {
    const table = formatVerificationTable([
      {
        dataType: 'metadata',
        sourceCount: 12,
        targetCount: 12,
        sourceDigest: 'a'.repeat(64),
        targetDigest: 'a'.repeat(64),
        equal: true,
      },
      {
        dataType: 'documents',
        sourceCount: 3,
        targetCount: 2,
        sourceDigest: 'b'.repeat(64),
        targetDigest: 'c'.repeat(64),
        equal: false,
        firstDifference: 'documents notes/n1: missing in the target',
      },
    ]);
    expect(table).toBe(
      [
        'data type  source rows  target rows  source digest     target digest     result',
        '---------  -----------  -----------  ----------------  ----------------  --------',
        'metadata   12           12           aaaaaaaaaaaaaaaa  aaaaaaaaaaaaaaaa  equal',
        'documents  3            2            bbbbbbbbbbbbbbbb  cccccccccccccccc  MISMATCH',
        'first difference: documents notes/n1: missing in the target',
        '',
      ].join('\n'),
    );
  });
});

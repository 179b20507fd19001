// Array literals round-trip through a real PostgreSQL exactly (quotes, backslashes, braces, -0, subnormals).
import fc from 'fast-check';
import pg from 'pg';
import { describe, expect, it } from 'vitest';
import { assertProperty } from '../../harness/conformance/support/seed.ts';
import { requireStore } from '../../test/support/stores.ts';
import { numberArrayLiteral, textArrayLiteral, timestampArrayLiteral } from './pg-array.ts';

describe('pg array literals', () => {
  it('round-trip text, float8 and timestamptz arrays', async () => {
    const client = new pg.Client({ connectionString: requireStore('postgres').url });
    await client.connect();
    try {
      await assertProperty(
        fc.asyncProperty(
          fc.array(
            fc.string({ unit: 'grapheme' }).filter((s) => !s.includes('\u0000')),
            { maxLength: 20 },
          ),
          fc.array(fc.double({ noNaN: true, noDefaultInfinity: true }), { maxLength: 20 }),
          fc.array(
            fc.date({
              min: new Date('0001-01-01T00:00:00Z'),
              max: new Date('9999-12-31T23:59:59Z'),
              noInvalidDate: true,
            }),
            {
              maxLength: 20,
            },
          ),
          async (texts, numbers, dates) => {
            const result = await client.query<{ t: string[]; n: number[]; d: Date[] }>(
              'SELECT $1::text[] AS t, $2::float8[] AS n, $3::timestamptz[] AS d',
              [textArrayLiteral(texts), numberArrayLiteral(numbers), timestampArrayLiteral(dates)],
            );
            const row = result.rows[0];
            expect(row?.t).toEqual(texts);
            expect(row?.n.map((n) => (Object.is(n, -0) ? '-0' : n))).toEqual(
              numbers.map((n) => (Object.is(n, -0) ? '-0' : n)),
            );
            expect(row?.d.map((d) => d.getTime())).toEqual(dates.map((d) => d.getTime()));
          },
        ),
        40,
      );
    } finally {
      await client.end();
    }
  });
});

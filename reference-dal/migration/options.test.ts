// The migration's two numeric options, validated at the edge: `--generate N` sizes the dataset and
// `batchSize` the keyset batches. Properties over the whole range, and the bounds one step outside.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { assertSyncProperty } from '../../harness/conformance/support/seed.ts';
import { ValidationError } from '../errors.ts';
import { DATA_TYPES, dataTypeSpecs } from './data-types.ts';
import { datasetSizeFor } from './generate.ts';
import { DEFAULT_BATCH_SIZE, resolveBatchSize } from './run-migration.ts';

function refusal(fn: () => unknown): ValidationError {
  try {
    fn();
  } catch (error) {
    if (error instanceof ValidationError) return error;
    throw error;
  }
  throw new Error('expected a ValidationError, nothing was thrown');
}

describe('datasetSizeFor', () => {
  it('N metric points, a quarter as many entities (at least 3), a fifth documents, a tenth objects', () => {
    assertSyncProperty(
      fc.property(fc.integer({ min: 1, max: 1_000_000 }), (n) => {
        expect(datasetSizeFor(n)).toEqual({
          metrics: n,
          entities: Math.max(3, Math.round(n / 4)),
          documents: Math.max(1, Math.round(n / 5)),
          objects: Math.max(1, Math.round(n / 10)),
        });
      }),
      200,
    );
  });

  it('small and rounding cases, by hand', () => {
    expect(datasetSizeFor(1)).toEqual({ metrics: 1, entities: 3, documents: 1, objects: 1 });
    expect(datasetSizeFor(14)).toEqual({ metrics: 14, entities: 4, documents: 3, objects: 1 });
    expect(datasetSizeFor(15)).toEqual({ metrics: 15, entities: 4, documents: 3, objects: 2 });
    expect(datasetSizeFor(1_000_000)).toEqual({
      metrics: 1_000_000,
      entities: 250_000,
      documents: 200_000,
      objects: 100_000,
    });
  });

  it('refuses 0, 1000001, fractions and NaN, naming the field', () => {
    for (const bad of [0, -1, 1_000_001, 2.5, Number.NaN]) {
      const error = refusal(() => datasetSizeFor(bad, '--generate'));
      expect(error.field).toBe('--generate');
      expect(error.message).toBe(`--generate: must be an integer 1-1000000, got ${String(bad)}`);
    }
    expect(refusal(() => datasetSizeFor(0)).field).toBe('generate');
  });
});

describe('resolveBatchSize', () => {
  it('keeps every integer 1-10000 and defaults to 500', () => {
    expect(DEFAULT_BATCH_SIZE).toBe(500);
    expect(resolveBatchSize(undefined)).toBe(500);
    expect(resolveBatchSize(1)).toBe(1);
    expect(resolveBatchSize(10_000)).toBe(10_000);
    assertSyncProperty(
      fc.property(fc.integer({ min: 1, max: 10_000 }), (n) => {
        expect(resolveBatchSize(n)).toBe(n);
      }),
      200,
    );
  });

  it('refuses 0, 10001, fractions and NaN, naming the field and the value given', () => {
    for (const bad of [0, -5, 10_001, 1.5, Number.NaN]) {
      const error = refusal(() => resolveBatchSize(bad, '--batch-size'));
      expect(error.field).toBe('--batch-size');
      expect(error.message).toBe(`--batch-size: must be an integer 1-10000, got ${String(bad)}`);
    }
    expect(refusal(() => resolveBatchSize(0)).field).toBe('batchSize');
  });
});

describe('data types', () => {
  it('the specs run in the declared order, metadata first', () => {
    expect(dataTypeSpecs().map((s) => s.name)).toEqual([...DATA_TYPES]);
    expect(DATA_TYPES).toEqual(['metadata', 'metrics', 'documents', 'objects']);
  });
});

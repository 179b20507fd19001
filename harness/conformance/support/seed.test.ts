// Property parameters from the environment: replay seeds, and no shrinking for mutation runs.
import { describe, expect, it } from 'vitest';
import { propertyParameters } from './seed.ts';

describe('propertyParameters', () => {
  it('passes DALBENCH_SEED and DALBENCH_PATH through to fast-check', () => {
    expect(propertyParameters(7, { DALBENCH_SEED: '42', DALBENCH_PATH: '3:1' })).toEqual({
      numRuns: 7,
      seed: 42,
      path: '3:1',
    });
  });

  it('ends on the first failure, without shrinking, when DALBENCH_PROPERTY_END_ON_FAILURE=1', () => {
    expect(propertyParameters(5, { DALBENCH_PROPERTY_END_ON_FAILURE: '1' })).toEqual({
      numRuns: 5,
      endOnFailure: true,
    });
    expect(propertyParameters(5, {})).toEqual({ numRuns: 5 });
  });

  it('rejects a seed that is not an integer, naming the variable', () => {
    expect(() => propertyParameters(1, { DALBENCH_SEED: 'x' })).toThrow(/DALBENCH_SEED/);
  });
});

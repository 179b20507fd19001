// DALBENCH_SEED has one reader (seedFromEnv); every suite, property and bench replays through it.
import { describe, expect, it } from 'vitest';
import { envSeed, seedFromEnv, seededRandom } from './random.ts';

describe('seedFromEnv', () => {
  it('reads a decimal integer, negative too, ignoring surrounding blanks', () => {
    expect(seedFromEnv({ DALBENCH_SEED: '42' })).toBe(42);
    expect(seedFromEnv({ DALBENCH_SEED: ' -7 ' })).toBe(-7);
  });

  it('unset or blank is undefined (the caller picks a fresh seed and prints it)', () => {
    expect(seedFromEnv({})).toBeUndefined();
    expect(seedFromEnv({ DALBENCH_SEED: '  ' })).toBeUndefined();
  });

  it.each(['x', '4.5', '1e3', '0x10', '9007199254740993'])(
    'rejects "%s", naming the variable and the value',
    (raw) => {
      expect(() => seedFromEnv({ DALBENCH_SEED: raw })).toThrow(
        `DALBENCH_SEED: expected an integer, got "${raw}"`,
      );
    },
  );
});

describe('envSeed', () => {
  it('is DALBENCH_SEED when set, else a fresh non-negative 31-bit integer', () => {
    expect(envSeed({ DALBENCH_SEED: '5' })).toBe(5);
    const fresh = envSeed({});
    expect(Number.isInteger(fresh) && fresh >= 0 && fresh < 2 ** 31).toBe(true);
  });

  it('the same seed replays the same stream', () => {
    const a = seededRandom(envSeed({ DALBENCH_SEED: '9' }));
    const b = seededRandom(9);
    expect([a(), a(), a()]).toEqual([b(), b(), b()]);
  });
});

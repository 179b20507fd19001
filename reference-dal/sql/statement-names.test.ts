import { describe, expect, it } from 'vitest';
import { StatementNames } from './statement-names.ts';

describe('StatementNames', () => {
  it('gives one text one name, distinct texts distinct names', () => {
    const names = new StatementNames('dal_tx_');
    const a = names.nameFor('INSERT INTO t VALUES ($1)');
    expect(a).toBe('dal_tx_1');
    expect(names.nameFor('INSERT INTO t VALUES ($1)')).toBe(a);
    expect(names.nameFor('SELECT $1')).toBe('dal_tx_2');
    expect(names.size).toBe(2);
  });

  it('stops naming new texts at its capacity, still naming the known ones', () => {
    const names = new StatementNames('s_', 2);
    expect(names.nameFor('a')).toBe('s_1');
    expect(names.nameFor('b')).toBe('s_2');
    expect(names.nameFor('c')).toBeUndefined();
    expect(names.nameFor('a')).toBe('s_1');
    expect(names.size).toBe(2);
  });

  it('refuses a prefix that is not a plain identifier', () => {
    expect(() => new StatementNames('bad-prefix')).toThrow(/prefix/);
    expect(() => new StatementNames('ok_', -1)).toThrow(/capacity/);
  });
});

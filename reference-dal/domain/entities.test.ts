import { describe, expect, it } from 'vitest';
import { ValidationError } from '../errors.ts';
import { assertJsonStorable } from './entities.ts';

describe('assertJsonStorable', () => {
  it('refuses a real NUL character but not the six characters \\u0000 as text', () => {
    expect(() => assertJsonStorable('detector', JSON.stringify({ name: 'a\u0000b' }))).toThrow(
      ValidationError,
    );
    expect(() => assertJsonStorable('detector', JSON.stringify({ name: '\\\u0000' }))).toThrow(
      ValidationError,
    );
    expect(() =>
      assertJsonStorable('detector', JSON.stringify({ name: 'literal \\u0000 text' })),
    ).not.toThrow();
    expect(() => assertJsonStorable('detector', JSON.stringify({ name: '\\\\u0000' }))).not.toThrow();
  });
});

// The exit code and hint an error carries, found anywhere in its cause chain (k6's errext.As).
import { describe, expect, it } from 'vitest';
import { EXIT } from './exit-codes.ts';
import { ExitError, exitCodeOf, hintOf } from './exit-error.ts';
import { InputError } from './input-error.ts';

describe('ExitError', () => {
  it('defaults to exit 2 and no hint; any other thrown value is 2 too', () => {
    const error = new ExitError('broken');
    expect([error.exitCode, error.hint]).toEqual([EXIT.error, undefined]);
    expect(exitCodeOf(new Error('plain'))).toBe(EXIT.error);
    expect(exitCodeOf('a string')).toBe(EXIT.error);
    expect(hintOf(new Error('plain'))).toBeUndefined();
  });

  it('is found as the cause of a wrapping error: the outermost code and hint win', () => {
    const inner = new ExitError('breached', { exitCode: EXIT.breach, hint: 'inner hint' });
    const wrapped = new Error('check failed', { cause: inner });
    expect(exitCodeOf(wrapped)).toBe(EXIT.breach);
    expect(hintOf(wrapped)).toBe('inner hint');
    const outer = new ExitError('outer', { exitCode: EXIT.error, hint: 'outer hint', cause: inner });
    expect([exitCodeOf(outer), hintOf(outer)]).toEqual([EXIT.error, 'outer hint']);
  });

  it('a hint deeper in the chain is still found when the outer ExitError has none', () => {
    const outer = new ExitError('outer', { cause: new ExitError('inner', { hint: 'do this' }) });
    expect(hintOf(outer)).toBe('do this');
  });

  it('InputError is an ExitError with code 2, naming the file and line, carrying a hint', () => {
    const error = new InputError('budgets.ts', 'unknown metric', { line: 3, hint: 'see docs/budgets.md' });
    expect(error).toBeInstanceOf(ExitError);
    expect(error.message).toBe('budgets.ts:3: unknown metric');
    expect(error.name).toBe('InputError');
    expect([exitCodeOf(error), hintOf(error)]).toEqual([EXIT.error, 'see docs/budgets.md']);
  });
});

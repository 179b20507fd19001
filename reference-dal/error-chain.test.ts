import { describe, expect, it } from 'vitest';
import { formatErrorChain } from './error-chain.ts';

describe('formatErrorChain', () => {
  const chain = new Error('job failed', {
    cause: new Error('postgres at postgres://u:***@db/x did not answer', {
      cause: new Error('ECONNREFUSED'),
    }),
  });

  it('one cause a line for stderr', () => {
    expect(formatErrorChain(chain)).toBe(
      'job failed\n  caused by: postgres at postgres://u:***@db/x did not answer\n  caused by: ECONNREFUSED',
    );
  });

  it('one line for a recorded reason', () => {
    expect(formatErrorChain(chain, 'line')).toBe(
      'job failed; caused by: postgres at postgres://u:***@db/x did not answer; caused by: ECONNREFUSED',
    );
  });

  it('a recorded reason names each error class that is more than a plain Error', () => {
    const typed = new Error('load phase failed', { cause: new TypeError('x is not a function') });
    expect(formatErrorChain(typed, 'line')).toBe(
      'load phase failed; caused by: TypeError: x is not a function',
    );
    expect(formatErrorChain(typed)).toBe('load phase failed\n  caused by: x is not a function');
  });

  it('anything thrown that is not an Error is still readable', () => {
    expect(formatErrorChain('plain string')).toBe('plain string');
    expect(formatErrorChain({ code: 42 })).toBe('{"code":42}');
    expect(formatErrorChain(undefined)).toBe('undefined');
    expect(formatErrorChain(new Error('outer', { cause: 7 }), 'line')).toBe('outer; caused by: 7');
  });

  it('a cycle or a long chain stops after five messages', () => {
    const a = new Error('a');
    const b = new Error('b', { cause: a });
    a.cause = b;
    expect(formatErrorChain(a).split('\n')).toHaveLength(5);
  });
});

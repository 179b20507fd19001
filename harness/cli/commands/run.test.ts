import { describe, expect, it } from 'vitest';
import { main } from '../main.ts';
import type { CliIo } from '../io.ts';

function capture(): CliIo & { stdout: string; stderr: string } {
  const io = {
    stdout: '',
    stderr: '',
    out: (s: string) => void (io.stdout += s),
    err: (s: string) => void (io.stderr += s),
    isTty: false,
    env: {},
  };
  return io;
}

describe('dalbench run flag errors', () => {
  it.each([
    [['--confirm', 'x'], '--confirm: expected an integer from 0 to 20'],
    [['--confirm', '2'], '--confirm needs --budgets'],
  ])('run %j exits 2 naming the flag and leaves no SIGINT listener behind', async (flags, message) => {
    const before = process.listeners('SIGINT');
    const io = capture();
    const code = await main(['run', '--profile', 'polyglot', ...flags], io);
    expect(code).toBe(2);
    expect(io.stderr).toContain(message);
    expect(process.listeners('SIGINT')).toEqual(before);
  });
});

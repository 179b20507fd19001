// The CLI prints an error's cause chain, then its hint, and exits with the code the error carries.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { captureIo } from '../../test/support/capture-io.ts';
import { EXIT } from '../results/exit-codes.ts';
import { ExitError } from '../results/exit-error.ts';
import { main } from './main.ts';
import { printError } from './print-error.ts';

let dir = '';
beforeAll(async () => {
  dir = await mkdtemp(path.join(tmpdir(), 'dalbench-print-error-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('printError', () => {
  it('prints the chain, then the hint, and returns the carried exit code', () => {
    const io = captureIo();
    const error = new ExitError('3 budgets breached', {
      exitCode: EXIT.breach,
      hint: 'see report.html',
      cause: new Error('p99 over'),
    });
    expect(printError(io, 'dalbench check', error)).toBe(EXIT.breach);
    expect(io.stderr).toBe(
      'dalbench check: 3 budgets breached\n  caused by: p99 over\nhint: see report.html\n',
    );
  });

  it('any other error: no hint line, exit 2', () => {
    const io = captureIo();
    expect(printError(io, 'dalbench', new Error('boom'))).toBe(EXIT.error);
    expect(io.stderr).toBe('dalbench: boom\n');
  });

  it('main: a missing results file exits 2 with the file named and a hint', async () => {
    const io = captureIo();
    const missing = path.join(dir, 'nope.json');
    expect(await main(['check', missing, '--budgets', 'adr-024'], io)).toBe(EXIT.error);
    expect(io.stderr).toContain(`dalbench: ${missing}: cannot read results file\n  caused by: ENOENT`);
    expect(io.stderr).toMatch(/\nhint: give the results\.json a run wrote/);
  });
});

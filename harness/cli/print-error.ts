// How every command reports a failure: the error and its causes on stderr, then its hint, and the exit
// code it carries (ExitError) — 2 for anything else. main.ts and the commands that catch their own
// errors (run, merge, migrate, stores) all come here, so a hint thrown anywhere reaches the user.
import { formatErrorChain } from '../../reference-dal/error-chain.ts';
import type { ExitCode } from '../results/exit-codes.ts';
import { exitCodeOf, hintOf } from '../results/exit-error.ts';
import type { CliIo } from './io.ts';

/** Print `error` after `prefix` ("dalbench merge"); returns the exit code to raise. */
export function printError(io: CliIo, prefix: string, error: unknown): ExitCode {
  io.err(`${prefix}: ${formatErrorChain(error)}\n`);
  const hint = hintOf(error);
  if (hint !== undefined) io.err(`hint: ${hint}\n`);
  return exitCodeOf(error);
}

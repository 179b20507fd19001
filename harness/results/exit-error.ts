// An error that says how the process should exit and what the user can do about it (k6's errext:
// HasExitCode, HasHint). Any layer throws one (or wraps one as `cause`); only cli/ reads it, through
// exitCodeOf and hintOf, so no layer below the CLI needs to know the CLI exists.
import { EXIT, type ExitCode } from './exit-codes.ts';

export interface ExitErrorOptions {
  /** Default 2 (EXIT.error): the run or its input is broken, so it never gates green. */
  readonly exitCode?: ExitCode;
  /** One sentence on what to do next, printed after the error as "hint: …". */
  readonly hint?: string;
  readonly cause?: unknown;
}

export class ExitError extends Error {
  override name = 'ExitError';
  readonly exitCode: ExitCode;
  readonly hint: string | undefined;
  constructor(message: string, options: ExitErrorOptions = {}) {
    super(message, { cause: options.cause });
    this.exitCode = options.exitCode ?? EXIT.error;
    this.hint = options.hint;
  }
}

/** How deep the cause chain is searched (as formatErrorChain shows it). */
const MAX_DEPTH = 5;

function* chain(error: unknown): Generator<unknown> {
  let current = error;
  for (let depth = 0; current !== undefined && depth < MAX_DEPTH; depth++) {
    yield current;
    current = current instanceof Error ? current.cause : undefined;
  }
}

/** The exit code of the outermost ExitError in `error`'s cause chain; 2 for any other error. */
export function exitCodeOf(error: unknown): ExitCode {
  for (const link of chain(error)) if (link instanceof ExitError) return link.exitCode;
  return EXIT.error;
}

/** The outermost hint in `error`'s cause chain, if any layer gave one. */
export function hintOf(error: unknown): string | undefined {
  for (const link of chain(error)) if (link instanceof ExitError && link.hint !== undefined) return link.hint;
  return undefined;
}

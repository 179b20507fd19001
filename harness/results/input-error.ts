// Bad input to a reader of files (results, budgets, noise, history): names the file and, where known,
// the line and field. An ExitError with code 2, so the CLI exits 2 and prints its hint, if any.
import { ExitError } from './exit-error.ts';

export class InputError extends ExitError {
  override name = 'InputError';
  readonly file: string;
  readonly line: number | undefined;
  constructor(
    file: string,
    problem: string,
    options: { line?: number; cause?: unknown; hint?: string } = {},
  ) {
    super(`${file}${options.line === undefined ? '' : `:${options.line}`}: ${problem}`, {
      cause: options.cause,
      ...(options.hint === undefined ? {} : { hint: options.hint }),
    });
    this.file = file;
    this.line = options.line;
  }
}

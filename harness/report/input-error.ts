// Bad input to a reader of files (results, budgets, noise, history): names the file and, where known,
// the line and field. The CLI maps it to exit code 2.

export class InputError extends Error {
  override name = 'InputError';
  readonly file: string;
  readonly line: number | undefined;
  constructor(file: string, problem: string, options: { line?: number; cause?: unknown } = {}) {
    super(`${file}${options.line === undefined ? '' : `:${options.line}`}: ${problem}`, {
      cause: options.cause,
    });
    this.file = file;
    this.line = options.line;
  }
}

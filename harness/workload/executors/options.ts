// Executor options are validated once, when the executor is built (k6 validates an executor's
// config before it runs): a bad value fails naming the executor and the field, never mid-run.
import type { z } from 'zod';
import { formatPath } from '../scenario.ts';

export class ExecutorOptionsError extends Error {
  override name = 'ExecutorOptionsError';
}

export function parseExecutorOptions<S extends z.ZodTypeAny>(
  executor: string,
  schema: S,
  options: unknown,
): z.output<S> {
  const parsed = schema.safeParse(options);
  if (parsed.success) return parsed.data;
  const issues = parsed.error.issues.map((issue) => `${formatPath(issue.path)}: ${issue.message}`);
  throw new ExecutorOptionsError(`${executor}: ${issues.join('; ')}`, { cause: parsed.error });
}

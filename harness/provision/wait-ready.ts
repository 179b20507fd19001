// Bounded readiness polling: retries a probe until it answers, the deadline passes, or the process dies.
import { readFile } from 'node:fs/promises';
import { ProvisionError, ProvisionTimeoutError } from './errors.ts';
import type { StoreKind } from './provisioner.ts';

export interface WaitReadyOptions<T> {
  readonly store: StoreKind;
  /** Resolves when the store answers; throws (any error) while it does not yet. */
  readonly probe: () => Promise<T>;
  readonly timeoutMs: number;
  readonly intervalMs?: number;
  /** The server's log, whose tail goes into the error message. */
  readonly logFile?: string;
  /** Set when the server process has already exited: waiting longer is pointless. */
  readonly exited?: () => string | undefined;
  readonly signal?: AbortSignal;
}

export async function waitReady<T>(options: WaitReadyOptions<T>): Promise<T> {
  const deadline = Date.now() + options.timeoutMs;
  const interval = options.intervalMs ?? 100;
  let lastError: unknown;
  for (;;) {
    options.signal?.throwIfAborted();
    const exit = options.exited?.();
    if (exit !== undefined) {
      throw new ProvisionError(
        options.store,
        `server exited before it was ready (${exit})${await logTail(options.logFile)}`,
        {
          cause: lastError,
        },
      );
    }
    try {
      return await options.probe();
    } catch (error) {
      lastError = error;
    }
    if (Date.now() >= deadline) {
      throw new ProvisionTimeoutError(
        options.store,
        `not ready after ${options.timeoutMs} ms${await logTail(options.logFile)}`,
        { cause: lastError },
      );
    }
    await new Promise((resolve) => setTimeout(resolve, interval));
  }
}

/** The last lines of a log file, formatted for an error message ('' when there is none). */
export async function logTail(file: string | undefined, lines = 20): Promise<string> {
  if (!file) return '';
  try {
    const text = await readFile(file, 'utf8');
    const tail = text.trimEnd().split('\n').slice(-lines).join('\n');
    return tail ? `\n--- last lines of ${file} ---\n${tail}` : `\n(${file} is empty)`;
  } catch {
    return `\n(no log at ${file})`;
  }
}

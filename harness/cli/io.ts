import type { Command } from 'commander';

/** Where a command writes; injected so tests can capture output without touching process globals. */
export interface CliIo {
  out(text: string): void;
  err(text: string): void;
  readonly isTty: boolean;
  readonly env: NodeJS.ProcessEnv;
  /**
   * Leave the process now with `code` (process.exit in the CLI). Only for what cannot wait for the
   * command to return, e.g. a second SIGINT/SIGTERM; injected so tests can see the path taken.
   */
  exit(code: number): void;
}

/** Each command file registers itself; `setExit` raises the process exit code (max wins). */
export type RegisterCommand = (program: Command, io: CliIo, setExit: (code: number) => void) => void;

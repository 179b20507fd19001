// The dalbench command. Exit codes: 0 pass, 1 budget breached, 2 harness/config/input error.
import { Command, CommanderError } from 'commander';
import { registerStoresCommand } from './commands/stores.ts';
import { registerRunCommand } from './commands/run.ts';
import { registerMergeCommand } from './commands/merge.ts';
import { registerCheckCommand } from './commands/check.ts';
import { registerCompareCommand } from './commands/compare.ts';
import { registerReportCommand } from './commands/report.ts';
import { registerCalibrateCommand } from './commands/calibrate.ts';
import { registerMigrateCommand } from './commands/migrate.ts';
import { registerServeCommand } from './commands/serve.ts';
import { EXIT, type CliIo } from './io.ts';

export async function main(argv: readonly string[], io: CliIo = defaultIo()): Promise<number> {
  const program = new Command('dalbench')
    .description('Benchmark and conformance harness for polyglot persistence (ADR-024)')
    .exitOverride()
    .configureOutput({ writeOut: (s) => io.out(s), writeErr: (s) => io.err(s) });
  let exitCode: number = EXIT.ok;
  const setExit = (code: number) => {
    exitCode = Math.max(exitCode, code);
  };
  for (const register of [
    registerStoresCommand,
    registerRunCommand,
    registerMergeCommand,
    registerCheckCommand,
    registerCompareCommand,
    registerReportCommand,
    registerCalibrateCommand,
    registerMigrateCommand,
    registerServeCommand,
  ]) {
    register(program, io, setExit);
  }
  try {
    await program.parseAsync([...argv], { from: 'user' });
    return exitCode;
  } catch (error) {
    if (error instanceof CommanderError) {
      return error.exitCode === 0 ? EXIT.ok : EXIT.error;
    }
    io.err(`dalbench: ${formatError(error)}\n`);
    return EXIT.error;
  }
}

/** The message and its chain of causes, one per line. */
export function formatError(error: unknown): string {
  const lines: string[] = [];
  let current: unknown = error;
  for (let depth = 0; current !== undefined && depth < 5; depth++) {
    lines.push(depth === 0 ? messageOf(current) : `  caused by: ${messageOf(current)}`);
    current = current instanceof Error ? current.cause : undefined;
  }
  return lines.join('\n');
}

function messageOf(value: unknown): string {
  return value instanceof Error ? value.message : String(value);
}

function defaultIo(): CliIo {
  return {
    out: (s) => void process.stdout.write(s),
    err: (s) => void process.stderr.write(s),
    isTty: Boolean(process.stdout.isTTY),
    env: process.env,
    exit: (code) => process.exit(code),
  };
}

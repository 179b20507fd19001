// The dalbench command. Exit codes: 0 pass, 1 budget breached, 2 harness/config/input error.
import { Command, CommanderError, Help } from 'commander';
import { COMMANDS, commandNamed, type CommandEntry } from './command-list.ts';
import type { CliIo } from './io.ts';
import { EXIT } from '../results/exit-codes.ts';
import { printError } from './print-error.ts';

export interface MainOptions {
  /**
   * Runs once before a command's action (never for --help). The compiled CLI registers tsx here, so
   * TypeScript config, scenario and budget files load without slowing --help; the CLI run through
   * tsx and the tests (vitest) load TypeScript already and pass nothing.
   */
  readonly beforeCommand?: () => Promise<void>;
}

export async function main(
  argv: readonly string[],
  io: CliIo = defaultIo(),
  options: MainOptions = {},
): Promise<number> {
  const program = new Command('dalbench')
    .description('Benchmark and conformance harness for polyglot persistence (ADR-024)')
    .exitOverride()
    .configureOutput({ writeOut: (s) => io.out(s), writeErr: (s) => io.err(s) })
    // Commands not loaded have no options or arguments registered: list them as their files define them.
    .configureHelp({
      subcommandTerm: (cmd) =>
        COMMANDS.find((entry) => entry.name === cmd.name())?.term ?? new Help().subcommandTerm(cmd),
    });
  let exitCode: number = EXIT.ok;
  const setExit = (code: number) => {
    exitCode = Math.max(exitCode, code);
  };
  // Only the command that runs is loaded; the others are listed from the table (see command-list.ts).
  const wanted = commandNamed(argv);
  for (const entry of COMMANDS) {
    if (entry === wanted) (await entry.load())(program, io, setExit);
    else program.addCommand(listedOnly(entry));
  }
  const { beforeCommand } = options;
  if (beforeCommand) program.hook('preAction', () => beforeCommand());
  try {
    await program.parseAsync([...argv], { from: 'user' });
    return exitCode;
  } catch (error) {
    if (error instanceof CommanderError) {
      return error.exitCode === 0 ? EXIT.ok : EXIT.error;
    }
    return printError(io, 'dalbench', error);
  }
}

/** A command listed in the top-level help but not loaded (nothing runs it in this process). */
function listedOnly(entry: CommandEntry): Command {
  return new Command(entry.name).description(entry.summary);
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

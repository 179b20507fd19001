// Placeholder until this command is implemented; it says so instead of pretending.
import type { RegisterCommand } from '../io.ts';
import { EXIT } from '../io.ts';

export const registerCompareCommand: RegisterCommand = (program, io, setExit) => {
  program
    .command('compare')
    .description('(not implemented yet)')
    .allowUnknownOption()
    .action(() => {
      io.err('dalbench compare: not implemented yet\n');
      setExit(EXIT.error);
    });
};

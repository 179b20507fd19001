// Placeholder until this command is implemented; it says so instead of pretending.
import type { RegisterCommand } from '../io.ts';
import { EXIT } from '../io.ts';

export const registerCheckCommand: RegisterCommand = (program, io, setExit) => {
  program
    .command('check')
    .description('(not implemented yet)')
    .allowUnknownOption()
    .action(() => {
      io.err('dalbench check: not implemented yet\n');
      setExit(EXIT.error);
    });
};

// Placeholder until this command is implemented; it says so instead of pretending.
import type { RegisterCommand } from '../io.ts';
import { EXIT } from '../io.ts';

export const registerRunCommand: RegisterCommand = (program, io, setExit) => {
  program
    .command('run')
    .description('(not implemented yet)')
    .allowUnknownOption()
    .action(() => {
      io.err('dalbench run: not implemented yet\n');
      setExit(EXIT.error);
    });
};

// Placeholder until this command is implemented; it says so instead of pretending.
import type { RegisterCommand } from '../io.ts';
import { EXIT } from '../io.ts';

export const registerReportCommand: RegisterCommand = (program, io, setExit) => {
  program
    .command('report')
    .description('(not implemented yet)')
    .allowUnknownOption()
    .action(() => {
      io.err('dalbench report: not implemented yet\n');
      setExit(EXIT.error);
    });
};

// dalbench check RESULTS.json --budgets FILE|adr-024: evaluate budgets on a finished run; exit 0/1/2.
import { exitCodeFor } from '../../budgets/exit-code.ts';
import { evaluateBudgets } from '../../budgets/evaluate.ts';
import { loadBudgetSet } from '../../budgets/load.ts';
import { loadResultsFile } from '../../report/results-input.ts';
import { renderVerdictText } from '../../report/verdict-text.ts';
import { writeReports } from '../../report/write.ts';
import { loadNoise } from '../../stats/noise.ts';
import type { RegisterCommand } from '../io.ts';

interface CheckFlags {
  budgets: string;
  skippedAsFail?: boolean;
  noise?: string;
  out?: string;
}

export const registerCheckCommand: RegisterCommand = (program, io, setExit) => {
  program
    .command('check')
    .description(
      'evaluate a budget set against results.json (exit 0 pass, 1 breach, 2 not evaluated / input error)',
    )
    .argument('<results>', 'results.json of a finished run')
    .requiredOption('--budgets <set>', 'budget set: adr-024, or a .ts/.yaml/.json file')
    .option('--skipped-as-fail', 'a budget that could not be evaluated fails (exit 1) instead of exit 2')
    .option('--noise <file>', 'noise.json from `dalbench calibrate`')
    .option('--out <dir>', 'also write report.html, summary.md and junit.xml with the verdicts')
    .action(async (resultsPath: string, flags: CheckFlags) => {
      const results = await loadResultsFile(resultsPath);
      const set = await loadBudgetSet(flags.budgets);
      const noise = flags.noise ? await loadNoise(flags.noise) : undefined;
      const verdicts = evaluateBudgets(results, set, noise ? { noise } : {});
      io.out(renderVerdictText(verdicts));
      if (flags.out) {
        const written = await writeReports(results, flags.out, { verdicts, env: io.env });
        io.out(`wrote ${written.html}, ${written.summary}, ${written.junit}\n`);
      }
      setExit(exitCodeFor(verdicts, { skippedAsFail: flags.skippedAsFail ?? false }));
    });
};

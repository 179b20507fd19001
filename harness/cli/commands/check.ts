// dalbench check RESULTS.json --budgets FILE|adr-024: evaluate budgets on a finished run; exit 0/1/2.
// Budgets over scenarios or profiles the run did not select are "not in this run" (no effect on the
// exit code); a name no run could select stays an error.
import { exitCodeFor } from '../../budgets/exit-code.ts';
import { evaluateBudgets } from '../../budgets/evaluate.ts';
import { selectionOf } from '../../budgets/in-run.ts';
import { loadBudgetSet } from '../../budgets/load.ts';
import { readResults } from '../../report/results-io.ts';
import { renderVerdictText } from '../../report/verdict-text.ts';
import { writeReports } from '../../report/write.ts';
import { loadConfigFile } from '../../run/config.ts';
import { runCatalogue } from '../../run/resolve-plan.ts';
import { loadNoise } from '../../stats/noise.ts';
import type { RegisterCommand } from '../io.ts';
import { BUDGET_FLAG_HELP, parseErrorShare } from './budget-flags.ts';

interface CheckFlags {
  budgets: string;
  skippedAsFail?: boolean;
  allowInconclusive?: boolean;
  maxErrorShare?: string;
  noise?: string;
  out?: string;
  config?: string;
}

export const registerCheckCommand: RegisterCommand = (program, io, setExit) => {
  program
    .command('check')
    .description(
      'evaluate a budget set against results.json (exit 0 pass, 1 breach, 2 not evaluated / inconclusive / input error)',
    )
    .argument('<results>', 'results.json of a finished run')
    .requiredOption('--budgets <set>', 'budget set: adr-024, or a .ts/.yaml/.json file')
    .option('--skipped-as-fail', BUDGET_FLAG_HELP.skippedAsFail)
    .option('--allow-inconclusive', BUDGET_FLAG_HELP.allowInconclusive)
    .option('--max-error-share <share>', BUDGET_FLAG_HELP.maxErrorShare)
    .option('--noise <file>', BUDGET_FLAG_HELP.noise)
    .option(
      '--config <file>',
      'config whose scenarios and profiles budgets may name (default ./dalbench.config.ts)',
    )
    .option('--out <dir>', 'also write report.html, summary.md and junit.xml with the verdicts')
    .action(async (resultsPath: string, flags: CheckFlags) => {
      const maxErrorShare =
        flags.maxErrorShare === undefined
          ? undefined
          : parseErrorShare('--max-error-share', flags.maxErrorShare);
      const results = await readResults(resultsPath);
      const set = await loadBudgetSet(flags.budgets);
      const noise = flags.noise ? await loadNoise(flags.noise) : undefined;
      const selection = selectionOf(results, runCatalogue(await loadConfigFile(flags.config)));
      const verdicts = evaluateBudgets(results, set, {
        ...(noise ? { noise } : {}),
        ...(maxErrorShare === undefined ? {} : { maxErrorShare }),
        ...(selection ? { selection } : {}),
      });
      io.out(renderVerdictText(verdicts, results));
      if (flags.out) {
        const written = await writeReports(results, flags.out, { verdicts, env: io.env });
        io.out(`wrote ${written.html}, ${written.summary}, ${written.junit}\n`);
      }
      setExit(
        exitCodeFor(verdicts, {
          skippedAsFail: flags.skippedAsFail ?? false,
          allowInconclusive: flags.allowInconclusive ?? false,
        }),
      );
    });
};

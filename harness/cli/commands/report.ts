// dalbench report RESULTS.json [--baseline FILE] [--budgets SET] [--out DIR] | report --history 'glob'
import { dirname, join } from 'node:path';
import { mkdir } from 'node:fs/promises';
import { evaluateBudgets } from '../../budgets/evaluate.ts';
import { selectionOf } from '../../budgets/in-run.ts';
import { loadBudgetSet } from '../../budgets/load.ts';
import { compareResults } from '../../report/compare.ts';
import { loadReportAssets } from '../../report/html-shell.ts';
import { assertHistoryMatches, expandGlob, renderHistoryHtml } from '../../report/history.ts';
import { InputError } from '../../results/input-error.ts';
import { readResults } from '../../report/results-io.ts';
import { writeFileAtomic, writeReports } from '../../report/write.ts';
import type { Results } from '../../results/schema.ts';
import { runCatalogue } from '../../run/resolve-plan.ts';
import type { RegisterCommand } from '../io.ts';

/** Budgets over what a run did not select read "not in this run", as `run` and `check` have them. */
function judgeOptions(results: Results) {
  const selection = selectionOf(results, runCatalogue(undefined));
  return selection ? { selection } : {};
}

interface ReportFlags {
  baseline?: string;
  budgets?: string;
  out?: string;
  history?: string;
}

export const registerReportCommand: RegisterCommand = (program, io) => {
  program
    .command('report')
    .description('render report.html, summary.md and junit.xml from results.json, or a history of many runs')
    .argument('[results]', 'results.json of a run')
    .option('--baseline <file>', 'results.json to diff against')
    .option('--budgets <set>', 'evaluate this budget set instead of the verdicts stored in results.json')
    .option('--out <dir>', 'output directory (default: beside results.json)')
    .option('--history <glob>', "trend of every budget across runs, e.g. 'reports/*/results.json'")
    .action(async (resultsPath: string | undefined, flags: ReportFlags) => {
      if (flags.history !== undefined) {
        const files = await expandGlob(flags.history);
        assertHistoryMatches(flags.history, files);
        const set = flags.budgets ? await loadBudgetSet(flags.budgets) : undefined;
        const runs = await Promise.all(
          files.map(async (file) => {
            const results = await readResults(file);
            return {
              file,
              results,
              verdicts: set ? evaluateBudgets(results, set, judgeOptions(results)) : (results.verdicts ?? []),
            };
          }),
        );
        const out = flags.out ?? '.';
        await mkdir(out, { recursive: true });
        const path = join(out, 'history.html');
        await writeFileAtomic(path, renderHistoryHtml(runs, await loadReportAssets()));
        io.out(`history of ${runs.length} runs: wrote ${path}\n`);
        return;
      }
      if (resultsPath === undefined)
        throw new InputError('(arguments)', 'give a results.json, or --history GLOB');
      const results = await readResults(resultsPath);
      const verdicts = flags.budgets
        ? evaluateBudgets(results, await loadBudgetSet(flags.budgets), judgeOptions(results))
        : (results.verdicts ?? []);
      const comparison = flags.baseline
        ? compareResults(
            { label: flags.baseline, results: await readResults(flags.baseline) },
            { label: resultsPath, results },
            { seed: results.run.seed },
          )
        : undefined;
      const written = await writeReports(results, flags.out ?? dirname(resultsPath), {
        verdicts,
        ...(comparison ? { comparison } : {}),
        env: io.env,
      });
      io.out(
        `wrote ${written.html} (${(written.htmlBytes / 1024).toFixed(0)} KiB), ${written.summary}, ${written.junit}\n`,
      );
    });
};

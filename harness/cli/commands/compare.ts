// dalbench compare BASE.json NEW.json [MORE.json…] | compare RESULTS.json --profiles a,b
import { dirname, join } from 'node:path';
import { compareProfiles, compareResults, regressions, type Comparison } from '../../report/compare.ts';
import { renderCompareHtml } from '../../report/compare-html.ts';
import { renderCompareMarkdown } from '../../report/compare-markdown.ts';
import { renderCompareText } from '../../report/compare-text.ts';
import { loadReportAssets } from '../../report/html-shell.ts';
import { InputError } from '../../report/input-error.ts';
import { loadResultsFile } from '../../report/results-input.ts';
import { writeFileAtomic } from '../../report/write.ts';
import { loadNoise } from '../../stats/noise.ts';
import { mkdir } from 'node:fs/promises';
import { EXIT, type RegisterCommand } from '../io.ts';
import { parsePercent } from './parse-percent.ts';

interface CompareFlags {
  profiles?: string;
  failOnRegression?: string;
  noise?: string;
  out?: string;
  fdr?: boolean;
}

export const registerCompareCommand: RegisterCommand = (program, io, setExit) => {
  program
    .command('compare')
    .description(
      'compare runs (BASE NEW [MORE…]) or two profiles of one run, with significance, effect size and a verdict',
    )
    .argument('<files...>', 'results.json files: the first is the baseline')
    .option('--profiles <a,b>', 'compare profile b against profile a within one results file')
    .option('--fail-on-regression <pct>', 'exit 1 when something is slower by more than this (e.g. 10%)')
    .option(
      '--noise <file>',
      'noise.json from `dalbench calibrate`: changes within the measured noise are "no change"',
    )
    .option(
      '--fdr',
      'control the false-discovery rate over all rows (Benjamini–Hochberg); needs ~10 repeats for power',
    )
    .option('--out <dir>', 'where compare.md and compare.html go (default: beside the last file)')
    .action(async (files: string[], flags: CompareFlags) => {
      const thresholdPct =
        flags.failOnRegression === undefined
          ? undefined
          : parsePercent('--fail-on-regression', flags.failOnRegression);
      const noise = flags.noise ? await loadNoise(flags.noise) : undefined;
      const options = {
        ...(thresholdPct === undefined ? {} : { thresholdPct }),
        ...(noise ? { noise } : {}),
        fdr: flags.fdr ?? false,
      };
      const loaded = await Promise.all(
        files.map(async (file) => ({ label: file, results: await loadResultsFile(file) })),
      );
      const comparisons: Comparison[] = [];
      if (flags.profiles !== undefined) {
        const names = flags.profiles
          .split(',')
          .map((p) => p.trim())
          .filter(Boolean);
        if (names.length !== 2)
          throw new Error(`--profiles: expected two profiles "a,b", got "${flags.profiles}"`);
        if (loaded.length !== 1)
          throw new Error('--profiles compares within one results file; give exactly one file');
        const [only] = loaded;
        comparisons.push(
          compareProfiles(only!.results, only!.label, names[0]!, names[1]!, {
            ...options,
            seed: only!.results.run.seed,
          }),
        );
      } else {
        if (loaded.length < 2)
          throw new InputError(
            files[0] ?? '(none)',
            'compare needs a baseline and at least one more results file (or --profiles a,b)',
          );
        const [base, ...rest] = loaded;
        for (const candidate of rest)
          comparisons.push(
            compareResults(base!, candidate, { ...options, seed: candidate.results.run.seed }),
          );
      }
      const out = flags.out ?? dirname(files.at(-1)!);
      const html = renderCompareHtml(comparisons, await loadReportAssets());
      const markdown = renderCompareMarkdown(comparisons);
      for (const c of comparisons) io.out(renderCompareText(c));
      await mkdir(out, { recursive: true });
      await writeFileAtomic(join(out, 'compare.md'), markdown);
      await writeFileAtomic(join(out, 'compare.html'), html);
      io.out(`wrote ${join(out, 'compare.md')}, ${join(out, 'compare.html')}\n`);
      const regressed = comparisons.flatMap(regressions);
      if (thresholdPct !== undefined && regressed.length > 0) {
        io.err(`${regressed.length} regression(s) beyond ${thresholdPct}%\n`);
        setExit(EXIT.breach);
      }
    });
};

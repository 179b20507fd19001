// dalbench compare BASE.json NEW.json [MORE.json…] | compare RESULTS.json --profiles a,b
// A side may be several result files of separate invocations, comma-joined (a1.json,a2.json): their
// spread is then the spread between invocations, measured. With --fail-on-regression the exit code
// is 1 on a regression, and 2 when the gate could not judge (no row decided, or a row slower beyond
// the threshold that the data cannot confirm or rule out) unless --allow-inconclusive.
import { dirname, join } from 'node:path';
import {
  compareProfiles,
  compareResults,
  judgedRows,
  possibleRegressions,
  regressions,
  type Comparison,
  type CompareRow,
} from '../../report/compare.ts';
import { compareCells, verdictText } from '../../report/compare-format.ts';
import { renderCompareHtml } from '../../report/compare-html.ts';
import { renderCompareMarkdown } from '../../report/compare-markdown.ts';
import { renderCompareText } from '../../report/compare-text.ts';
import { loadReportAssets } from '../../report/html-shell.ts';
import { InputError } from '../../results/input-error.ts';
import { readResults } from '../../report/results-io.ts';
import { writeFileAtomic } from '../../report/write.ts';
import { loadNoise } from '../../stats/noise.ts';
import { mkdir } from 'node:fs/promises';
import type { RegisterCommand } from '../io.ts';
import { EXIT } from '../../results/exit-codes.ts';
import { parsePercent } from './parse-percent.ts';

interface CompareFlags {
  profiles?: string;
  failOnRegression?: string;
  noise?: string;
  out?: string;
  fdr?: boolean;
  allowInconclusive?: boolean;
}

const rowName = (r: CompareRow) =>
  `${r.scenario}/${r.profile === r.candidateProfile ? r.profile : `${r.profile}→${r.candidateProfile}`}${r.driver === 'dal' ? '' : ` (${r.driver})`} ${r.operation}.${r.metric}`;

export const registerCompareCommand: RegisterCommand = (program, io, setExit) => {
  program
    .command('compare')
    .description(
      'compare runs (BASE NEW [MORE…]) or two profiles of one run, with significance, effect size and a verdict',
    )
    .argument(
      '<files...>',
      'results.json files: the first is the baseline; a,b,c joins result files of separate runs into one side',
    )
    .option('--profiles <a,b>', 'compare profile b against profile a within one results file')
    .option(
      '--fail-on-regression <pct>',
      'exit 1 when something is slower by more than this (e.g. 10%); exit 2 when the data cannot judge',
    )
    .option('--allow-inconclusive', 'with --fail-on-regression: rows the data cannot judge do not exit 2')
    .option(
      '--noise <file>',
      'noise.json from `dalbench calibrate`: the spread between invocations (and repeats) verdicts rest on',
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
        files.map(async (arg) => {
          const paths = arg
            .split(',')
            .map((p) => p.trim())
            .filter(Boolean);
          if (paths.length === 0) throw new InputError(arg, 'no results file named');
          const results = await Promise.all(paths.map((p) => readResults(p)));
          return { label: arg, results: results.length === 1 ? results[0]! : results, paths };
        }),
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
        const only = loaded[0]!;
        const results = only.results;
        if (Array.isArray(results))
          throw new InputError(only.label, '--profiles compares within one results file, not a list');
        comparisons.push(
          compareProfiles(results, only.label, names[0]!, names[1]!, { ...options, seed: results.run.seed }),
        );
      } else {
        if (loaded.length < 2)
          throw new InputError(
            files[0] ?? '(none)',
            'compare needs a baseline and at least one more results file (or --profiles a,b)',
          );
        const [base, ...rest] = loaded;
        for (const candidate of rest) {
          const first = Array.isArray(candidate.results) ? candidate.results[0]! : candidate.results;
          comparisons.push(compareResults(base!, candidate, { ...options, seed: first.run.seed }));
        }
      }
      const out = flags.out ?? dirname(loaded.at(-1)!.paths.at(-1)!);
      const html = renderCompareHtml(comparisons, await loadReportAssets());
      const markdown = renderCompareMarkdown(comparisons);
      for (const c of comparisons) io.out(renderCompareText(c));
      await mkdir(out, { recursive: true });
      await writeFileAtomic(join(out, 'compare.md'), markdown);
      await writeFileAtomic(join(out, 'compare.html'), html);
      io.out(`wrote ${join(out, 'compare.md')}, ${join(out, 'compare.html')}\n`);
      if (thresholdPct === undefined) return;
      const regressed = comparisons.flatMap(regressions);
      if (regressed.length > 0) {
        io.err(`${regressed.length} regression(s) beyond ${thresholdPct}%\n`);
        setExit(EXIT.breach);
      }
      // A gate that could not judge says so: no decided row at all, or possible regressions undecided.
      const rows = comparisons.flatMap((c) => c.rows);
      const judged = comparisons.flatMap(judgedRows);
      const possible = comparisons.flatMap(possibleRegressions);
      const undecided = rows.filter((r) => r.result.verdict === 'inconclusive');
      const cannotGate = judged.length === 0 && rows.length > 0;
      if (!cannotGate && possible.length === 0) {
        if (undecided.length > 0)
          io.err(
            `${undecided.length} of ${rows.length} rows inconclusive (none slower beyond ${thresholdPct}%)\n`,
          );
        return;
      }
      const reason = cannotGate
        ? `cannot gate: none of ${rows.length} rows could be judged`
        : `cannot gate ${possible.length} row(s) slower beyond ${thresholdPct}% that the data cannot confirm or rule out`;
      io.err(`${reason}${flags.allowInconclusive ? ' (--allow-inconclusive: not failing)' : ''}\n`);
      const shown = (cannotGate ? undecided : possible).slice(0, 8);
      for (const r of shown) {
        const cells = compareCells(r);
        io.err(`  ${rowName(r)}: ${cells[6]} (CI ${cells[7]}): ${verdictText(r)}\n`);
      }
      if (undecided.length > shown.length)
        io.err(`  … ${undecided.length - shown.length} more inconclusive rows\n`);
      if (!flags.allowInconclusive) setExit(EXIT.error);
    });
};

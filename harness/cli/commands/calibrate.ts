// dalbench calibrate: run-to-run noise from an A/A run set → noise.json. Either runs the same
// configuration N times itself (`--runs N` plus the run flags), or reads result files of such runs.
import { randomInt } from 'node:crypto';
import path from 'node:path';
import { runAaSet } from '../../run/aa-runs.ts';
import { loadConfigFile } from '../../run/config.ts';
import { defaultOutDir } from '../../run/output-dir.ts';
import { progressPrinter } from '../../run/progress.ts';
import { resolvePlan, type RunFlags } from '../../run/resolve-plan.ts';
import { writeFileAtomic } from '../../report/write.ts';
import { InputError } from '../../report/input-error.ts';
import { loadResultsFile } from '../../report/results-input.ts';
import { calibrateNoise } from '../../stats/noise.ts';
import type { RegisterCommand } from '../io.ts';

interface CalibrateFlags extends RunFlags {
  out: string;
  maxCv: string;
  runs?: string;
  config?: string;
}

export const registerCalibrateCommand: RegisterCommand = (program, io) => {
  program
    .command('calibrate')
    .description(
      'measure each metric’s run-to-run spread from N results of the same configuration → noise.json',
    )
    .argument('[results...]', 'results.json files of identical runs (an A/A set), at least 2')
    .option('--runs <n>', 'run the configuration N times now (same seed), instead of reading files')
    .option('--scenario <names>', 'with --runs: comma-separated scenarios')
    .option('--profile <names>', 'with --runs: comma-separated profiles')
    .option('--stores <mode>', 'with --runs: auto | local | docker | external')
    .option('--duration <time>', 'with --runs: measure phase per scenario')
    .option('--concurrency <n>', 'with --runs: closed-loop workers')
    .option('--rate <n>', 'with --runs: open-loop rate')
    .option('--seed <n>', 'with --runs: the seed every run uses')
    .option('--quick', 'with --runs: quick data and phases')
    .option('--config <file>', 'with --runs: config file')
    .option('--out <file>', 'where to write noise.json', 'noise.json')
    .option(
      '--max-cv <fraction>',
      'above this coefficient of variation a metric is too noisy to gate',
      '0.15',
    )
    .action(async (files: string[], flags: CalibrateFlags) => {
      const maxCv = Number(flags.maxCv);
      if (!(maxCv > 0))
        throw new Error(`--max-cv: expected a positive fraction like 0.15, got "${flags.maxCv}"`);
      let runs: { path: string; results: Awaited<ReturnType<typeof loadResultsFile>> }[];
      if (flags.runs !== undefined) {
        const count = Number(flags.runs);
        if (!Number.isInteger(count) || count < 2 || count > 100)
          throw new Error(`--runs: expected an integer from 2 to 100, got "${flags.runs}"`);
        if (files.length > 0) throw new Error('give either result files or --runs, not both');
        const config = await loadConfigFile(flags.config);
        const plan = resolvePlan(flags, config, () => randomInt(0, 2 ** 31 - 1));
        const dir = path.join(defaultOutDir(new Date()), 'calibrate');
        io.err(`dalbench calibrate: ${count} identical runs, seed ${plan.seed}, results under ${dir}\n`);
        runs = await runAaSet(plan, count, dir, {
          onEvent: progressPrinter((t) => io.err(t), io.isTty),
        });
      } else {
        if (files.length < 2)
          throw new InputError(
            files[0] ?? '(none)',
            'calibrate needs at least 2 results files of the same configuration (or --runs N)',
          );
        runs = await Promise.all(
          files.map(async (file) => ({ path: file, results: await loadResultsFile(file) })),
        );
      }
      const noise = calibrateNoise(runs, { maxCv });
      await writeFileAtomic(flags.out, `${JSON.stringify(noise, null, 2)}\n`);
      const gated = noise.entries.filter((e) => !e.tooNoisy);
      io.out(
        `noise from ${runs.length} runs: ${noise.entries.length} metrics, ${gated.length} gateable (CV ≤ ${maxCv * 100}%)\n`,
      );
      for (const e of noise.entries.filter((x) => /\.(p50|p99|throughput)$/.test(x.metric))) {
        io.out(
          `  ${e.scenario}/${e.profile} ${e.metric}: CV ${(e.cv * 100).toFixed(1)}%${e.tooNoisy ? '  (too noisy to gate)' : ''}\n`,
        );
      }
      io.out(`wrote ${flags.out}\n`);
    });
};

// dalbench calibrate: run-to-run noise from an A/A run set → noise.json, recording which spread it
// measured. `--runs N` runs the configuration N times itself — as N separate `dalbench run`
// invocations by default (the spread between invocations, which a compare of two CI runs faces), or
// with --same-stores N runs on one set of stores in this process (the spread within one invocation).
// Given result files instead, files of different run ids are separate invocations.
import { randomInt } from 'node:crypto';
import path from 'node:path';
import { runOnSharedStores, runSeparateInvocations, type AaRun } from '../../run/aa-runs.ts';
import { loadConfigFile } from '../../run/config.ts';
import { defaultOutDir } from '../../run/output-dir.ts';
import { progressPrinter } from '../../run/progress.ts';
import { resolvePlan, type RunFlags } from '../../run/resolve-plan.ts';
import { writeFileAtomic } from '../../report/write.ts';
import { InputError } from '../../results/input-error.ts';
import { readResults } from '../../report/results-io.ts';
import { calibrateNoise } from '../../stats/noise.ts';
import type { RegisterCommand } from '../io.ts';

interface CalibrateFlags extends RunFlags {
  out: string;
  maxCv: string;
  runs?: string;
  config?: string;
  sameStores?: boolean;
}

/** The run flags `dalbench run` gets for each separate invocation (the seed resolved once, shared). */
function runArgs(flags: CalibrateFlags, seed: number): string[] {
  const pass: [string, string | undefined][] = [
    ['--scenario', flags.scenario],
    ['--profile', flags.profile],
    ['--stores', flags.stores],
    ['--duration', flags.duration],
    ['--warmup', flags.warmup],
    ['--concurrency', flags.concurrency],
    ['--rate', flags.rate],
    ['--repeat', flags.repeat],
    ['--driver', flags.driver],
    ['--config', flags.config],
  ];
  return [
    ...pass.flatMap(([flag, value]) => (value === undefined ? [] : [flag, value])),
    '--seed',
    String(seed),
    ...(flags.quick ? ['--quick'] : []),
  ];
}

export const registerCalibrateCommand: RegisterCommand = (program, io) => {
  program
    .command('calibrate')
    .description(
      'measure each metric’s run-to-run spread from N results of the same configuration → noise.json',
    )
    .argument(
      '[results...]',
      'results.json files of identical runs (an A/A set): 2 or more, or one with --repeat ≥ 2',
    )
    .option(
      '--runs <n>',
      'run the configuration N times now (same seed), each as a separate `dalbench run` invocation',
    )
    .option(
      '--same-stores',
      'with --runs: N runs in this process on one set of stores (faster; measures spread within one invocation only)',
    )
    .option('--scenario <names>', 'with --runs: comma-separated scenarios')
    .option('--profile <names>', 'with --runs: comma-separated profiles')
    .option('--stores <mode>', 'with --runs: auto | local | docker | external')
    .option('--duration <time>', 'with --runs: measure phase per scenario')
    .option('--warmup <time>', 'with --runs: warmup per scenario')
    .option('--concurrency <n>', 'with --runs: closed-loop workers')
    .option('--rate <n>', 'with --runs: open-loop rate')
    .option(
      '--repeat <n>',
      'with --runs: repeats inside each invocation (separates repeat and invocation spread)',
    )
    .option('--driver <driver>', 'with --runs: dal | http | both')
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
      let runs: AaRun[];
      let method: string;
      let spread: 'within-invocation' | 'between-invocations' | undefined;
      if (flags.runs !== undefined) {
        const count = Number(flags.runs);
        if (!Number.isInteger(count) || count < 2 || count > 100)
          throw new Error(`--runs: expected an integer from 2 to 100, got "${flags.runs}"`);
        if (files.length > 0) throw new Error('give either result files or --runs, not both');
        const config = await loadConfigFile(flags.config);
        const plan = resolvePlan(flags, config, () => randomInt(0, 2 ** 31 - 1), io.env);
        const dir = path.join(defaultOutDir(new Date()), 'calibrate');
        if (flags.sameStores) {
          io.err(
            `dalbench calibrate: ${count} runs on one set of stores, seed ${plan.seed}, results under ${dir}\n`,
          );
          runs = await runOnSharedStores(plan, count, dir, {
            onEvent: progressPrinter((t) => io.err(t), io.isTty),
          });
          method = `${count} runs in one process on one set of ${plan.stores} stores`;
          spread = 'within-invocation';
        } else {
          io.err(
            `dalbench calibrate: ${count} separate invocations, seed ${plan.seed}, results under ${dir}\n`,
          );
          runs = await runSeparateInvocations(runArgs(flags, plan.seed), count, dir, {
            onLine: (line) => io.err(`${line}\n`),
          });
          method = `${count} separate \`dalbench run\` invocations (stores: ${plan.stores}, each brought up by its run)`;
          spread = 'between-invocations';
        }
      } else {
        if (files.length === 0)
          throw new InputError(
            '(none)',
            'calibrate needs at least 2 results files of the same configuration (or --runs N)',
          );
        runs = await Promise.all(
          files.map(async (file) => ({ path: file, results: await readResults(file) })),
        );
        const ids = new Set(runs.map((r) => r.results.run.id)).size;
        method = `${files.length} result file(s) of ${ids} run id(s)`;
        spread = undefined; // separate invocations when the run ids differ
      }
      const noise = calibrateNoise(runs, { maxCv, method, ...(spread ? { spread } : {}) });
      await writeFileAtomic(flags.out, `${JSON.stringify(noise, null, 2)}\n`);
      const gated = noise.entries.filter((e) => !e.tooNoisy);
      const invocations = new Set(runs.map((r) => r.results.run.id)).size;
      io.out(
        `noise from ${runs.length} runs (${invocations} invocation(s); spread ${noise.spread === 'between-invocations' ? 'between invocations' : 'within one invocation'}): ` +
          `${noise.entries.length} metrics, ${gated.length} gateable (CV ≤ ${maxCv * 100}%)\n`,
      );
      if (noise.spread === 'within-invocation')
        io.out(
          '  note: this spread is within one invocation; compare needs the spread between invocations to judge two separate runs (calibrate --runs N without --same-stores)\n',
        );
      for (const e of noise.entries.filter((x) => /\.(p50|p99|throughput)$/.test(x.metric))) {
        const between = e.between
          ? `, between invocations ${(Math.sqrt(e.between.variance) * 100).toFixed(1)}%`
          : '';
        io.out(
          `  ${e.scenario}/${e.profile}${e.driver && e.driver !== 'dal' ? ` (${e.driver})` : ''} ${e.metric}: CV ${(e.cv * 100).toFixed(1)}%${between}${e.tooNoisy ? '  (too noisy to gate)' : ''}\n`,
        );
      }
      io.out(`wrote ${flags.out}\n`);
    });
};

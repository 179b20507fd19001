// dalbench calibrate A1.json A2.json … [--out noise.json]: run-to-run noise from an A/A run set.
// Running the configuration N times needs the runner; until it is wired here, pass the result files.
import { writeFileAtomic } from '../../report/write.ts';
import { InputError } from '../../report/input-error.ts';
import { loadResultsFile } from '../../report/results-input.ts';
import { calibrateNoise } from '../../stats/noise.ts';
import type { RegisterCommand } from '../io.ts';

interface CalibrateFlags {
  out: string;
  maxCv: string;
}

export const registerCalibrateCommand: RegisterCommand = (program, io) => {
  program
    .command('calibrate')
    .description(
      'measure each metric’s run-to-run spread from N results of the same configuration → noise.json',
    )
    .argument('<results...>', 'results.json files of identical runs (an A/A set), at least 2')
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
      if (files.length < 2)
        throw new InputError(
          files[0] ?? '(none)',
          'calibrate needs at least 2 results files of the same configuration',
        );
      const runs = await Promise.all(
        files.map(async (path) => ({ path, results: await loadResultsFile(path) })),
      );
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

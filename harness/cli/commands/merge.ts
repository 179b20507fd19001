// dalbench merge a.json b.json … --out FILE: combine shards (or runs of one config) losslessly.
// Exit 2 on unreadable, invalid or incompatible input.
import path from 'node:path';
import { readResults, writeResults, writeResultsFile } from '../../report/results-io.ts';
import { mergeResults } from '../../report/merge.ts';
import { printError } from '../print-error.ts';
import type { RegisterCommand } from '../io.ts';

export const registerMergeCommand: RegisterCommand = (program, io, setExit) => {
  program
    .command('merge')
    .description('merge results.json files of several shards or runs into one (histograms merged losslessly)')
    .argument('<files...>', 'results.json files to merge (at least two)')
    .requiredOption(
      '--out <file>',
      'where to write the merged results (a .json file, or a directory for results.json)',
    )
    .action(async (files: string[], options: { out: string }) => {
      try {
        const inputs = [];
        for (const file of files) inputs.push({ source: file, results: await readResults(file) });
        const merged = mergeResults(inputs);
        const out = path.resolve(options.out);
        const written = out.endsWith('.json')
          ? await writeResultsFile(out, merged)
          : await writeResults(out, merged);
        const total = merged.scenarios.reduce((a, s) => a + s.operations.reduce((b, o) => b + o.count, 0), 0);
        io.out(
          `merged ${files.length} files (${merged.scenarios.length} scenario × profile results, ${total} operations) into ${written}\n`,
        );
      } catch (error) {
        setExit(printError(io, 'dalbench merge', error));
      }
    });
};

// The dalbench commands by name, each loaded only when it runs: `dalbench --help` lists them from
// this table without importing any command module (they pull in zod, the DAL and the provisioners:
// 1.5–2.5 s), so the compiled CLI answers --help in a few hundred milliseconds.
// `summary` and `term` repeat what each command file registers; command-list.test.ts pins them.
import type { RegisterCommand } from './io.ts';

export interface CommandEntry {
  readonly name: string;
  /** The command's description, as its file registers it. */
  readonly summary: string;
  /** How `dalbench --help` lists it: name, `[options]` when it has any, its arguments. */
  readonly term: string;
  readonly load: () => Promise<RegisterCommand>;
}

export const COMMANDS: readonly CommandEntry[] = [
  {
    name: 'stores',
    summary: 'start, check and stop the stores (local | docker | external)',
    term: 'stores',
    load: async () => (await import('./commands/stores.ts')).registerStoresCommand,
  },
  {
    name: 'run',
    summary: 'run the ADR-024 scenarios against every storage profile on real stores',
    term: 'run [options]',
    load: async () => (await import('./commands/run.ts')).registerRunCommand,
  },
  {
    name: 'datasets',
    summary: 'list and drop the datasets `run --reuse-data` kept on your stores',
    term: 'datasets',
    load: async () => (await import('./commands/datasets.ts')).registerDatasetsCommand,
  },
  {
    name: 'merge',
    summary: 'merge results.json files of several shards or runs into one (histograms merged losslessly)',
    term: 'merge [options] <files...>',
    load: async () => (await import('./commands/merge.ts')).registerMergeCommand,
  },
  {
    name: 'check',
    summary:
      'evaluate a budget set against results.json (exit 0 pass, 1 breach, 2 not evaluated / inconclusive / input error)',
    term: 'check [options] <results>',
    load: async () => (await import('./commands/check.ts')).registerCheckCommand,
  },
  {
    name: 'compare',
    summary:
      'compare runs (BASE NEW [MORE…]) or two profiles of one run, with significance, effect size and a verdict',
    term: 'compare [options] <files...>',
    load: async () => (await import('./commands/compare.ts')).registerCompareCommand,
  },
  {
    name: 'report',
    summary: 'render report.html, summary.md and junit.xml from results.json, or a history of many runs',
    term: 'report [options] [results]',
    load: async () => (await import('./commands/report.ts')).registerReportCommand,
  },
  {
    name: 'calibrate',
    summary: 'measure each metric’s run-to-run spread from N results of the same configuration → noise.json',
    term: 'calibrate [options] [results...]',
    load: async () => (await import('./commands/calibrate.ts')).registerCalibrateCommand,
  },
  {
    name: 'migrate',
    summary: 'move existing data from one storage layout to another, resumably, and verify it',
    term: 'migrate [options]',
    load: async () => (await import('./commands/migrate.ts')).registerMigrateCommand,
  },
  {
    name: 'serve',
    summary: "serve one profile's realtime-detection and dashboard-reads operations over HTTP",
    term: 'serve [options]',
    load: async () => (await import('./commands/serve.ts')).registerServeCommand,
  },
];

/** The command `argv` runs (or asks help for: `help run`); undefined for top-level help. */
export function commandNamed(argv: readonly string[]): CommandEntry | undefined {
  const word = argv[0] === 'help' ? argv[1] : argv[0];
  return COMMANDS.find((entry) => entry.name === word);
}

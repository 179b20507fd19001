// Mutation testing of the reference DAL (StrykerJS + its vitest runner), one folder per run so a run
// fits a 2-core machine: `DALBENCH_MUTATE=<scope> npm run mutate` (scopes below). Each scope names the
// files it mutates and the only test files that may kill them, so a run takes minutes, not hours.
// Stores: tests reach the stores the way `npm test` does (the global setup honours DALBENCH_STORES and
// the DALBENCH_*_URL variables Stryker's workers inherit); `source` the stores' env file first.
// Output (git-ignored, under reports/mutation/<scope>/): index.html, mutation.json and incremental.json,
// Stryker's incremental cache: only mutants whose code or covering tests changed are run again.

import { commonTokens, declareFactoryPlugin, PluginKind, tokens } from '@stryker-mutator/api/plugin';
import { strykerPlugins as vitestRunnerPlugins } from '@stryker-mutator/vitest-runner';

/** @typedef {{ mutate: string[], tests: string[], needs?: string }} Scope */

/** @type {Record<string, Scope>} */
const SCOPES = {
  cache: {
    mutate: ['reference-dal/cache/**/*.ts', 'reference-dal/profiles/open-cache-manager.ts'],
    tests: [
      'reference-dal/cache/**/*.test.ts',
      'reference-dal/profiles/open-cache-manager.test.ts',
      'harness/conformance/cache.test.ts',
      'test/conformance/cache-*.test.ts',
    ],
  },
  'time-series': {
    mutate: [
      'reference-dal/backends/postgres/time-series-*.ts',
      'reference-dal/sql/metric-table.ts',
      'reference-dal/sql/metric-shapes.ts',
    ],
    tests: [
      'harness/conformance/time-series.postgres.test.ts',
      'harness/conformance/time-series.plain.test.ts',
      'reference-dal/backends/postgres/time-series-partitions.test.ts',
      'test/conformance/time-series-*.test.ts',
    ],
  },
  timescaledb: {
    mutate: ['reference-dal/backends/timescaledb/**/*.ts'],
    tests: ['harness/conformance/time-series.timescaledb.test.ts'],
    needs: 'DALBENCH_TIMESCALE_URL',
  },
  // Two scopes, one per backend: the Elasticsearch model test alone takes ~15 s a mutant.
  'documents-postgres': {
    mutate: ['reference-dal/backends/postgres/document-*.ts'],
    tests: [
      'harness/conformance/documents.postgres.test.ts',
      'test/conformance/documents-postgres-*.test.ts',
    ],
  },
  'documents-elasticsearch': {
    mutate: ['reference-dal/backends/elasticsearch/**/*.ts'],
    tests: [
      'harness/conformance/documents.elasticsearch.test.ts',
      'test/conformance/documents-elasticsearch-*.test.ts',
      'reference-dal/backends/elasticsearch/**/*.test.ts',
    ],
  },
  consistency: {
    mutate: ['reference-dal/consistency/**/*.ts'],
    tests: [
      'reference-dal/consistency/**/*.test.ts',
      // Not outbox-es-kill.test.ts: its own Elasticsearch start, kill and restart, repeated for every
      // relay mutant, would make a run take about nine hours here; the relay suites kill those mutants.
      'test/consistency/outbox-relay.test.ts',
      'test/consistency/relay-*.test.ts',
      'test/consistency/writer-*.test.ts',
      'test/conformance/consistency-*.test.ts',
    ],
  },
  // The DataAccessLayer itself: slots, accessors, sessions, health, close, the lent pool.
  dal: {
    mutate: ['reference-dal/dal/data-access-layer.ts'],
    tests: ['reference-dal/dal/*.test.ts'],
  },
  // bench:dal's judgement: rounds (what is timed, how a guarantee is priced), verdicts, the table.
  'bench-verdict': {
    mutate: ['harness/bench/dal/rounds.ts', 'harness/bench/dal/verdict.ts', 'harness/bench/dal/table.ts'],
    tests: ['harness/bench/dal/check.test.ts'],
  },
  // The pure part of migration verification (canonical JSON, digests): no store, seconds a mutant.
  'migration-digest': {
    mutate: ['reference-dal/migration/digest.ts'],
    tests: ['test/conformance/migration-*.test.ts'],
  },
  migration: {
    mutate: ['reference-dal/migration/**/*.ts'],
    tests: [
      'reference-dal/migration/**/*.test.ts',
      'test/migration/**/*.test.ts',
      'test/conformance/migration-*.test.ts',
    ],
  },
};

const scopeName = process.env['DALBENCH_MUTATE'];
const scope = scopeName === undefined ? undefined : SCOPES[scopeName];
if (!scope) {
  throw new Error(
    `DALBENCH_MUTATE must name one folder scope (${Object.keys(SCOPES).join(', ')}), got ` +
      `${scopeName === undefined ? 'nothing' : `"${scopeName}"`}: e.g. DALBENCH_MUTATE=cache npm run mutate`,
  );
}
if (scope.needs && !process.env[scope.needs]) {
  throw new Error(`DALBENCH_MUTATE=${scopeName} needs ${scope.needs}: its tests skip without that store`);
}
// One seed for every property, so a mutant's verdict replays; and no shrinking: a failing property
// already killed the mutant, and shrinking against real stores costs hundreds of round trips.
process.env['DALBENCH_SEED'] ??= '24014';
process.env['DALBENCH_PROPERTY_END_ON_FAILURE'] ??= '1';
// Read by vitest.mutate.config.ts in Stryker's workers (they inherit this environment).
process.env['DALBENCH_MUTATE_TESTS'] = JSON.stringify(scope.tests);
// Printed once, by Stryker's main process (its workers import this file again as a plugin, below).
if (process.env['STRYKER_MUTATOR_WORKER'] === undefined) {
  console.error(
    `[dalbench mutate] scope ${scopeName}: DALBENCH_SEED=${process.env['DALBENCH_SEED']}, ` +
      `stores ${process.env['DALBENCH_STORES'] ?? 'auto'}`,
  );
}

/**
 * The vitest runner, but telling Stryker it cannot reload its environment in place. The vitest runner
 * claims it can and then reruns the already-loaded modules, so a static mutant (a module-level
 * constant) is never switched on and "survives" (stryker-js#6209). Without that claim Stryker starts
 * a fresh runner process for each static mutant, and the mutant is live when its module loads.
 */
const vitestRunner = vitestRunnerPlugins.find((p) => p.kind === PluginKind.TestRunner && p.name === 'vitest');
if (!vitestRunner || vitestRunner.kind !== PluginKind.TestRunner || !('factory' in vitestRunner)) {
  throw new Error('@stryker-mutator/vitest-runner no longer exports its "vitest" test runner factory');
}
const vitestFactory = vitestRunner.factory;
/** @param {import('@stryker-mutator/api/plugin').Injector<import('@stryker-mutator/api/plugin').PluginContext>} injector */
function createReloadingVitestRunner(injector) {
  const runner = vitestFactory(injector);
  runner.capabilities = () => ({ reloadEnvironment: false });
  return runner;
}
createReloadingVitestRunner.inject = tokens(commonTokens.injector);
export const strykerPlugins = [
  declareFactoryPlugin(PluginKind.TestRunner, 'vitest-reloading', createReloadingVitestRunner),
];

const out = `reports/mutation/${scopeName}`;

/** @type {import('@stryker-mutator/api/core').PartialStrykerOptions} */
export default {
  testRunner: 'vitest-reloading',
  // This file is also the plugin that declares 'vitest-reloading' (strykerPlugins above).
  plugins: ['@stryker-mutator/vitest-runner', './stryker.config.js'],
  mutate: [...scope.mutate, '!**/*.test.ts'],
  // The scope's tests only (vitest.mutate.config.ts); "related" would walk the module graph instead.
  vitest: { configFile: 'vitest.mutate.config.ts', related: false },
  coverageAnalysis: 'perTest',
  // The machine is shared and the stores are too: one worker (raise with --concurrency when alone).
  concurrency: 1,
  // Real stores: a slow round trip is not an infinite loop.
  timeoutMS: 30_000,
  timeoutFactor: 2,
  dryRunTimeoutMinutes: 20,
  incremental: true,
  incrementalFile: `${out}/incremental.json`,
  reporters: ['clear-text', 'progress-append-only', 'html', 'json'],
  htmlReporter: { fileName: `${out}/index.html` },
  jsonReporter: { fileName: `${out}/mutation.json` },
  clearTextReporter: { allowColor: false, logTests: false, reportScoreTable: true },
  // Under reports/, which git, vitest, tsc, eslint and prettier already ignore, so a sandbox left by a
  // failed run never joins `npm test` or lint.
  tempDirName: 'reports/mutation/.stryker-tmp',
  ignorePatterns: ['reports', '.cache'],
  thresholds: { high: 90, low: 85, break: null },
};

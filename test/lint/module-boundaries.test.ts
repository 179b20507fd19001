// The dependency rules of DESIGN.md (Architecture, "enforced by lint") can fail: each forbidden import,
// written at a file path in the folder it is forbidden from, gets the no-restricted-imports error from
// the project's real eslint.config.js, and each allowed import gets none. Pure: no stores, no files
// written (lintText lints a string as if it sat at `filePath`).
import { fileURLToPath } from 'node:url';
import { ESLint } from 'eslint';
import tseslint from 'typescript-eslint';
import { beforeAll, describe, expect, it } from 'vitest';

const root = fileURLToPath(new URL('../..', import.meta.url));
let eslint: ESLint;

beforeAll(() => {
  // Only the type-aware rules are turned off (virtual files are in no TypeScript program, and a
  // program per file is slow); the boundaries come from eslint.config.js unchanged.
  eslint = new ESLint({ cwd: root, overrideConfig: tseslint.configs.disableTypeChecked });
});

/** The no-restricted-imports messages for `code` placed at `filePath` (relative to the project root). */
async function boundaryErrors(filePath: string, code: string): Promise<string[]> {
  const [result] = await eslint.lintText(`${code}\n`, { filePath: `${root}/${filePath}` });
  if (!result) throw new Error(`ESLint returned no result for ${filePath}`);
  const fatal = result.messages.filter((m) => m.fatal);
  if (fatal.length > 0) throw new Error(`${filePath}: ${fatal.map((m) => m.message).join('; ')}`);
  return result.messages.filter((m) => m.ruleId === 'no-restricted-imports').map((m) => m.message);
}

describe('module boundaries fail lint', () => {
  it.each([
    // reference-dal never imports harness, scenarios or test
    ['reference-dal/dal/virtual.ts', `import '../../harness/workload/runner.ts';`, /knows nothing of what/],
    ['reference-dal/ports/virtual.ts', `import '../../scenarios/index.ts';`, /knows nothing of what/],
    ['reference-dal/sql/virtual.ts', `import '../../test/support/stores.ts';`, /knows nothing of what/],
    ['reference-dal/errors-virtual.ts', `import '../harness/stats/random.ts';`, /knows nothing of what/],
    // cache, consistency and workload never import a concrete backend (type-only and re-exports too)
    [
      'reference-dal/cache/virtual.ts',
      `import { RedisCacheStore } from '../backends/redis/redis-cache-store.ts';`,
      /no concrete backend/,
    ],
    [
      'reference-dal/cache/virtual.ts',
      `import type { RedisCacheStoreOptions } from '../backends/redis/redis-cache-store.ts';`,
      /no concrete backend/,
    ],
    [
      'reference-dal/consistency/deeper/virtual.ts',
      `export * from '../../backends/postgres/document-repository.ts';`,
      /no concrete backend/,
    ],
    [
      'harness/workload/virtual.ts',
      `import '../../reference-dal/backends/s3/object-repository.ts';`,
      /harness\/workload: no concrete backend/,
    ],
    [
      'harness/workload/executors/virtual.ts',
      `import '../../../reference-dal/backends/postgres/index.ts';`,
      /harness\/workload: no concrete backend/,
    ],
    // the harness reaches the DAL through ports (DESIGN.md, Architecture)
    [
      'harness/provision/virtual.ts',
      `import '../../reference-dal/backends/redis/redis-cache-store.ts';`,
      /harness: no concrete backend/,
    ],
    // backends never import each other
    [
      'reference-dal/backends/postgres/virtual.ts',
      `import '../timescaledb/time-series-migrations.ts';`,
      /backends never import each other/,
    ],
    [
      'reference-dal/backends/redis/virtual.ts',
      `import '../../backends/elasticsearch/options.ts';`,
      /backends never import each other/,
    ],
    // report and budgets never import workload
    ['harness/report/virtual.ts', `import '../workload/runner.ts';`, /never import harness\/workload/],
    ['harness/budgets/virtual.ts', `import '../workload/scenario.ts';`, /never import harness\/workload/],
    // results/ depends on nothing in the project (zod only)
    ['harness/results/virtual.ts', `import '../report/write.ts';`, /results\/ depends on nothing/],
    [
      'harness/results/virtual.ts',
      `import type { CliIo } from '../cli/io.ts';`,
      /results\/ depends on nothing/,
    ],
    ['harness/results/virtual.ts', `import '../../reference-dal/errors.ts';`, /results\/ depends on nothing/],
    [
      'harness/results/virtual.ts',
      `import '../../reference-dal/backends/redis/redis-cache-store.ts';`,
      /results\/ depends on nothing/,
    ],
    ['harness/results/virtual.ts', `import '../../scenarios/index.ts';`, /results\/ depends on nothing/],
    // metrics, stats, workload and budgets never import report (report only consumes results)
    ['harness/metrics/virtual.ts', `import '../report/write.ts';`, /never import harness\/report/],
    [
      'harness/stats/virtual.ts',
      `import type { Results } from '../report/merge.ts';`,
      /never import harness\/report/,
    ],
    [
      'harness/workload/executors/virtual.ts',
      `import '../../report/junit.ts';`,
      /never import harness\/report/,
    ],
    [
      'harness/budgets/virtual.ts',
      `export * from '../report/verdict-format.ts';`,
      /never import harness\/report/,
    ],
    // benches never import test support
    [
      'harness/bench/dal/virtual.ts',
      `import '../../../test/support/databases.ts';`,
      /benches never import test support/,
    ],
  ])('%s: %s', async (filePath, code, message) => {
    const errors = await boundaryErrors(filePath, code);
    expect(errors).toHaveLength(1);
    expect(errors[0]).toMatch(message);
  });
});

describe('allowed imports pass lint', () => {
  it.each([
    ['reference-dal/cache/virtual.ts', `import type { CacheStore } from '../ports/cache.ts';`],
    ['reference-dal/profiles/virtual.ts', `import '../backends/redis/redis-cache-store.ts';`],
    ['reference-dal/dal/virtual.ts', `import '../backends/postgres/index.ts';`],
    ['reference-dal/backends/postgres/virtual.ts', `import '../../sql/metric-table.ts';`],
    ['reference-dal/backends/postgres/virtual.ts', `import './time-series-plain.ts';`],
    ['harness/workload/virtual.ts', `import '../../reference-dal/ports/time-series.ts';`],
    ['harness/workload/virtual.ts', `import '../../reference-dal/profiles/system-under-test.ts';`],
    ['harness/report/virtual.ts', `import '../budgets/exit-code.ts';`],
    ['harness/results/virtual.ts', `import { z } from 'zod';`],
    ['harness/results/virtual.ts', `import type { Results } from './schema.ts';`],
    ['harness/results/virtual.ts', `import { readFile } from 'node:fs/promises';`],
    ['harness/metrics/virtual.ts', `import type { Results } from '../results/schema.ts';`],
    ['harness/budgets/virtual.ts', `import { EXIT } from '../results/exit-codes.ts';`],
    ['harness/report/virtual.ts', `import type { Results } from '../results/schema.ts';`],
    ['harness/cli/virtual.ts', `import '../report/write.ts';`],
    ['harness/bench/dal/virtual.ts', `import '../../../reference-dal/backends/redis/redis-cache-store.ts';`],
    ['harness/bench/dal/virtual.ts', `import '../../provision/scratch-database.ts';`],
    // tests wire real stores and shared test support by design
    ['reference-dal/cache/virtual.test.ts', `import '../backends/redis/redis-cache-store.ts';`],
    ['reference-dal/cache/virtual.test.ts', `import '../../test/support/stores.ts';`],
  ])('%s: %s', async (filePath, code) => {
    expect(await boundaryErrors(filePath, code)).toEqual([]);
  });
});

// The vitest config of `npm run mutate`: the project's config, restricted to the test files of the
// folder being mutated (stryker.config.mjs passes them in DALBENCH_MUTATE_TESTS). Stryker's own
// `testFiles` option would do the same, but with it Stryker 9.6 activates static mutants (module-level
// constants) after their module has loaded, so every one of them "survives" (stryker-js#6144).
import { defineConfig } from 'vitest/config';
import base from './vitest.config.ts';

function mutationTestFiles(raw: string | undefined): string[] {
  const parsed: unknown = raw === undefined ? undefined : JSON.parse(raw);
  if (!Array.isArray(parsed) || parsed.length === 0 || !parsed.every((p) => typeof p === 'string')) {
    throw new Error(
      `DALBENCH_MUTATE_TESTS must be a JSON array of test file globs (set by stryker.config.mjs), got ${String(raw)}`,
    );
  }
  return parsed;
}

// Replaces the include list (mergeConfig would append to it).
export default defineConfig({
  ...base,
  test: { ...base.test, include: mutationTestFiles(process.env['DALBENCH_MUTATE_TESTS']) },
});

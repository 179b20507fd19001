// @ts-check
import { readdirSync } from 'node:fs';
import js from '@eslint/js';
import tseslint from 'typescript-eslint';
import globals from 'globals';

// Module boundaries: DESIGN.md, Architecture, "Dependency rules, enforced by lint". Imports are
// relative ('../../reference-dal/backends/redis/…'), so every pattern is a regex over the import string:
// `(\.\./)+` climbs any depth, then the folder is named from the root or from its parent (a file in
// reference-dal/ reaches backends/ as '../backends/'). A folder that does not exist at the climbed-to
// level cannot be imported anyway, so the regexes need not know each file's depth.
// Tests (*.test.ts) are exempt: they wire real stores and shared test support by design.
const UP = String.raw`^(?:\./)?(?:\.\./)+`;
const END = String.raw`(?:/|$)`;

/** @param {string} regex @param {string} message */
const forbid = (regex, message) => ({ regex, message });
const HARNESS_OR_BEYOND = forbid(
  `${UP}(?:harness|scenarios|test)${END}`,
  'reference-dal never imports harness/, scenarios/ or test/ (DESIGN.md, Architecture): the DAL knows nothing of what measures it.',
);
/** @param {string} who */
const CONCRETE_BACKEND = (who) =>
  forbid(
    `${UP}(?:reference-dal/)?backends${END}`,
    `${who}: no concrete backend (DESIGN.md, Architecture): depend on reference-dal/ports; profiles wire backends.`,
  );
const WORKLOAD = forbid(
  `${UP}(?:harness/)?workload${END}`,
  'report/ and budgets/ never import harness/workload (DESIGN.md, Architecture): they read results, not the runner.',
);
// results/ is the leaf every layer reads (schema, exit codes): any import that climbs out of it and
// does not land back in results/ is forbidden, so harness/, reference-dal/, scenarios/, test/ and the
// root files are all covered without naming them. Packages (zod) and node: builtins do not climb.
const OUTSIDE_RESULTS = forbid(
  `${UP}(?!\\.\\./)(?!(?:harness/)?results${END})`,
  'harness/results/ depends on nothing in the project (DESIGN.md, Architecture): it is the results model every layer reads; move the helper into results/ instead.',
);
const REPORT = forbid(
  `${UP}(?:harness/)?report${END}`,
  'metrics/, stats/, workload/ and budgets/ never import harness/report (DESIGN.md, Architecture): report only consumes results; move the shared helper into harness/results/.',
);
const TEST_SUPPORT = forbid(
  `${UP}test${END}`,
  'benches never import test support (DESIGN.md, Architecture): move the helper out of test/ (e.g. harness/provision/).',
);
const BACKEND_NAMES = readdirSync(new URL('./reference-dal/backends', import.meta.url), {
  withFileTypes: true,
})
  .filter((entry) => entry.isDirectory())
  .map((entry) => entry.name);
/** @param {string} own */
const OTHER_BACKENDS = (own) =>
  forbid(
    `${UP}(?:(?:reference-dal/)?backends/)?(?:${BACKEND_NAMES.filter((name) => name !== own).join('|')})${END}`,
    `backends never import each other (DESIGN.md, Architecture): ${own} shares code through reference-dal/sql, ports or config.`,
  );

/**
 * Who may not import what. `except` is a subfolder the boundary does not cover. The harness rule is
 * the Architecture's "the harness knows the DAL only through its ports, never a concrete backend";
 * benches are the exception: they measure a backend against the raw driver on purpose.
 * @type {{ folders: string[], except?: string[], patterns: { regex: string, message: string }[] }[]}
 */
const BOUNDARIES = [
  { folders: ['reference-dal'], patterns: [HARNESS_OR_BEYOND] },
  {
    folders: ['reference-dal/cache', 'reference-dal/consistency'],
    patterns: [CONCRETE_BACKEND('reference-dal/cache and reference-dal/consistency')],
  },
  ...BACKEND_NAMES.map((name) => ({
    folders: [`reference-dal/backends/${name}`],
    patterns: [OTHER_BACKENDS(name)],
  })),
  // results/ is left out: OUTSIDE_RESULTS already forbids backends there, with one message, not two.
  {
    folders: ['harness'],
    except: ['harness/bench', 'harness/results'],
    patterns: [CONCRETE_BACKEND('harness')],
  },
  { folders: ['harness/workload'], patterns: [CONCRETE_BACKEND('harness/workload')] },
  { folders: ['harness/report', 'harness/budgets'], patterns: [WORKLOAD] },
  { folders: ['harness/results'], patterns: [OUTSIDE_RESULTS] },
  {
    folders: ['harness/metrics', 'harness/stats', 'harness/workload', 'harness/budgets'],
    patterns: [REPORT],
  },
  { folders: ['harness/bench'], patterns: [TEST_SUPPORT] },
];

/**
 * One config block per folder, shallow to deep. A later block replaces an earlier one's options for
 * the same rule, so each block carries every boundary that covers its folder (ancestors included).
 */
function boundaryBlocks() {
  /** @param {string} folder @param {string} scope */
  const within = (folder, scope) => folder === scope || folder.startsWith(`${scope}/`);
  const folders = [...new Set(BOUNDARIES.flatMap((b) => [...b.folders, ...(b.except ?? [])]))].sort(
    (a, b) => a.split('/').length - b.split('/').length,
  );
  return folders.map((folder) => {
    const patterns = BOUNDARIES.filter(
      (b) =>
        b.folders.some((scope) => within(folder, scope)) &&
        !(b.except ?? []).some((scope) => within(folder, scope)),
    ).flatMap((b) => b.patterns);
    // Same regex from two boundaries (harness and harness/workload): the more specific message wins.
    const unique = [...new Map(patterns.map((p) => [p.regex, p])).values()];
    return {
      files: [`${folder}/**`],
      ignores: ['**/*.test.ts'],
      rules: { 'no-restricted-imports': ['error', { patterns: unique }] },
    };
  });
}

export default tseslint.config(
  // dist/: npm run build's output (git-ignored), compiled from the sources linted here.
  { ignores: ['node_modules/**', 'reports/**', '.cache/**', 'dist/**', 'examples/own-adapter/**'] },
  js.configs.recommended,
  ...tseslint.configs.recommendedTypeChecked,
  {
    languageOptions: {
      globals: globals.node,
      parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname },
    },
    rules: {
      // Every promise is awaited or explicitly voided: a dropped store call hides failures.
      '@typescript-eslint/no-floating-promises': 'error',
      '@typescript-eslint/no-misused-promises': 'error',
      // Returning an un-awaited promise from inside `await using`/try-finally disposes the resource first.
      '@typescript-eslint/return-await': ['error', 'error-handling-correctness-only'],
      '@typescript-eslint/consistent-type-imports': 'error',
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      '@typescript-eslint/restrict-template-expressions': [
        'error',
        { allowNumber: true, allowBoolean: true },
      ],
      'no-restricted-syntax': [
        'error',
        {
          selector: "CallExpression[callee.property.name='keys'][callee.object.name=/redis/i]",
          message: 'Use SCAN, never KEYS.',
        },
      ],
    },
  },
  {
    files: ['**/*.js'],
    extends: [tseslint.configs.disableTypeChecked],
  },
  ...boundaryBlocks(),
);

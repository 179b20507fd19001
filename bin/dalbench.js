#!/usr/bin/env node
// Which code runs, decided by one file check:
// - Sources beside this file (a clone, or `npm link`): the TypeScript sources through tsx, always,
//   even when dist/ exists — a dist/ left over from an earlier `npm run build` can never run stale
//   code in a working copy, and a fresh clone needs no build step.
//   DALBENCH_COMPILED=1 asks for dist/ explicitly (`npm run bench:cli` builds it first).
// - No sources (the installed package ships dist/ and bin/ only): the compiled dist/, which answers
//   --help without transpiling anything; tsx is registered only when a command runs, so a user's
//   dalbench.config.ts, scenario and budget files in TypeScript still load.
import { existsSync } from 'node:fs';

const sources = new URL('../harness/cli/main.ts', import.meta.url);
const compiled = new URL('../dist/harness/cli/main.js', import.meta.url);
const argv = process.argv.slice(2);

if (existsSync(sources) && process.env.DALBENCH_COMPILED !== '1') {
  const { register } = await import('tsx/esm/api');
  register();
  const { main } = await import('../harness/cli/main.ts');
  process.exitCode = await main(argv);
} else if (!existsSync(compiled)) {
  process.stderr.write(`dalbench: ${compiled.pathname} is missing: run \`npm run build\` first\n`);
  process.exitCode = 2;
} else {
  const { main } = await import(compiled.href);
  process.exitCode = await main(argv, undefined, {
    // Both of tsx's hooks, as its own CLI does: in a project without "type": "module" a .ts file is
    // CommonJS, which the ESM hook alone cannot load (Node reports a require(esm) cycle).
    beforeCommand: async () => {
      const [cjs, esm] = await Promise.all([import('tsx/cjs/api'), import('tsx/esm/api')]);
      cjs.register();
      esm.register();
    },
  });
}

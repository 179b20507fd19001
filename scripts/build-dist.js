// `npm run build`: dist/ from scratch (a file deleted from the sources must not linger in the
// package), compiled by tsc with tsconfig.build.json, then the shims below.
//
// Shims: three source files name a sibling by its `.ts` path at run time, which does not exist in
// dist/ (tsc rewrites import specifiers, not URLs built from strings). Until those files pick the
// extension of their own module (import.meta.url ends in .ts or .js), dist/ gets a module at each
// such path:
//   harness/budgets/load.ts          new URL('../../scenarios/budgets/adr-024.ts', import.meta.url)
//   scenarios/support/second-client.ts  new URL('./second-client-worker.ts', import.meta.url)
//   harness/run/aa-runs.ts           new URL('../../bin/dalbench.js', import.meta.url)
// A .ts shim is a copy of the compiled JavaScript (valid TypeScript), loaded by tsx (registered by
// bin/dalbench.js before a command runs, and inside the second-client worker). It cannot re-export
// './x.js': tsx resolves that to the x.ts beside it, itself. The bin shim imports the real bin.
import { spawnSync } from 'node:child_process';
import { copyFileSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));
const dist = new URL('../dist/', import.meta.url);

rmSync(dist, { recursive: true, force: true });
const tsc = createRequire(import.meta.url).resolve('typescript/bin/tsc');
const compiled = spawnSync(process.execPath, [tsc, '-p', 'tsconfig.build.json'], {
  cwd: root,
  stdio: 'inherit',
});
if (compiled.status !== 0) {
  process.stderr.write(
    `build: tsc -p tsconfig.build.json exited with ${compiled.status ?? compiled.signal}\n`,
  );
  process.exit(1);
}

for (const path of ['scenarios/budgets/adr-024', 'scenarios/support/second-client-worker']) {
  copyFileSync(new URL(`${path}.js`, dist), new URL(`${path}.ts`, dist));
}
mkdirSync(new URL('bin/', dist), { recursive: true });
writeFileSync(
  new URL('bin/dalbench.js', dist),
  "// Written by scripts/build-dist.js: see there why.\nimport '../../bin/dalbench.js';\n",
);
process.stdout.write(`build: ${fileURLToPath(dist)} written\n`);

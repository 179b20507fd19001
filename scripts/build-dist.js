// `npm run build`: dist/ from scratch (a file deleted from the sources must not linger in the
// package), compiled by tsc with tsconfig.build.json. Nothing else: the few paths the sources build
// at run time take the extension of their own module (harness/run/source-extension.ts).
import { spawnSync } from 'node:child_process';
import { rmSync } from 'node:fs';
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

process.stdout.write(`build: ${fileURLToPath(dist)} written\n`);

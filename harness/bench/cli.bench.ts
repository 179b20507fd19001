// npm run bench:cli — cold start of `dalbench --help` from the compiled build, against `node -e 0` as
// the floor (Node's own start), and from the sources through tsx (what a clone runs) for scale.
// Target: the compiled --help answers in under 300 ms. Each round runs every command once, in turn,
// so load on a shared machine falls on all of them alike; medians and the ratio come from one run.
// dist/ is built first when it is missing or older than a source file (`npm run build`).
import { spawnSync } from 'node:child_process';
import { readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { median } from './load/median.ts';

const TARGET_MS = 300;
const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const BIN = join(ROOT, 'bin/dalbench.js');
const COMPILED_MAIN = join(ROOT, 'dist/harness/cli/main.js');
const SOURCES = [
  'index.ts',
  'conformance.ts',
  'tsconfig.build.json',
  'harness',
  'reference-dal',
  'scenarios',
];

const runs = Number(process.env.DALBENCH_CLI_RUNS ?? 15);
if (!Number.isInteger(runs) || runs < 1)
  throw new Error(`DALBENCH_CLI_RUNS: expected a positive integer, got "${process.env.DALBENCH_CLI_RUNS}"`);

/** Newest modification time under `path` (directories count: a deleted file changes its folder's). */
function newestMtime(path: string): number {
  const stat = statSync(path);
  if (!stat.isDirectory()) return stat.mtimeMs;
  let newest = stat.mtimeMs;
  for (const entry of readdirSync(path)) newest = Math.max(newest, newestMtime(join(path, entry)));
  return newest;
}

function builtAt(): number | undefined {
  try {
    return statSync(COMPILED_MAIN).mtimeMs;
  } catch {
    return undefined;
  }
}

function ensureBuild(): void {
  const built = builtAt();
  const sources = Math.max(...SOURCES.map((path) => newestMtime(join(ROOT, path))));
  if (built !== undefined && built >= sources) return;
  process.stderr.write(
    built === undefined ? 'dist/ missing: npm run build\n' : 'dist/ older than the sources: npm run build\n',
  );
  const build = spawnSync('npm', ['run', 'build'], { cwd: ROOT, stdio: 'inherit' });
  if (build.status !== 0) throw new Error(`npm run build exited with ${build.status ?? build.signal}`);
}

interface Subject {
  readonly label: string;
  readonly args: readonly string[];
  readonly env: NodeJS.ProcessEnv;
  readonly ms: number[];
}

function startOnce(subject: Subject): void {
  const started = performance.now();
  const child = spawnSync(process.execPath, subject.args, { cwd: ROOT, env: subject.env, encoding: 'utf8' });
  const ms = performance.now() - started;
  if (child.status !== 0)
    throw new Error(`${subject.label} exited with ${child.status ?? child.signal}: ${child.stderr}`);
  subject.ms.push(ms);
}

ensureBuild();
const env = { ...process.env, DALBENCH_COMPILED: undefined };
const floor: Subject = { label: 'node -e 0', args: ['-e', '0'], env, ms: [] };
const compiled: Subject = {
  label: 'dalbench --help (compiled)',
  args: [BIN, '--help'],
  env: { ...env, DALBENCH_COMPILED: '1' },
  ms: [],
};
const sources: Subject = { label: 'dalbench --help (tsx)', args: [BIN, '--help'], env, ms: [] };
const subjects = [floor, compiled, sources];

for (const subject of subjects) startOnce(subject); // warm the file cache; not counted
for (const subject of subjects) subject.ms.length = 0;
for (let round = 0; round < runs; round++) for (const subject of subjects) startOnce(subject);

const floorMs = median(floor.ms);
process.stdout.write(`cold start, median of ${runs} interleaved runs (node ${process.version})\n`);
for (const subject of subjects) {
  const ms = median(subject.ms);
  const ratio = subject === floor ? '' : `  ${(ms / floorMs).toFixed(2)}× node -e 0`;
  process.stdout.write(`  ${subject.label.padEnd(28)} ${ms.toFixed(0).padStart(6)} ms${ratio}\n`);
}
const compiledMs = median(compiled.ms);
process.stdout.write(
  `target: compiled --help < ${TARGET_MS} ms: ${compiledMs < TARGET_MS ? 'met' : 'MISSED'} (${compiledMs.toFixed(0)} ms)\n`,
);

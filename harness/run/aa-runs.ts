// An A/A run set for `dalbench calibrate --runs N`: the same configuration (same seed, same operation
// sequence) N times, each run's results written to DIR/run-i/results.json. Two ways, and the noise file
// records which:
// - separate invocations (default): N `dalbench run` processes, each bringing its own stores up (fresh
//   servers in local and docker modes), exactly what two CI runs compared with `compare` face;
// - one set of stores (--same-stores): N runs in this process on stores provisioned once — faster, but
//   their spread is the spread within one invocation, which understates the spread between invocations.
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { provisionStores } from '../provision/create-provisioner.ts';
import { RESULTS_FILE, readResults, writeResults } from '../report/results-io.ts';
import type { Results } from '../results/schema.ts';
import { runBenchmark, storeKinds, type RunEvent, type RunHooks } from './run-benchmark.ts';
import type { RunPlan } from './run-plan.ts';
import { borrowStores } from './shared-stores.ts';
import { sourceExtension } from './source-extension.ts';

export interface AaRun {
  path: string;
  results: Results;
}

export class AaRunError extends Error {
  override name = 'AaRunError';
}

// bin/ is at the package root: two levels above harness/run/ in a clone, three above dist/harness/run/.
const BIN = fileURLToPath(
  new URL(
    sourceExtension(import.meta.url) === '.ts' ? '../../bin/dalbench.js' : '../../../bin/dalbench.js',
    import.meta.url,
  ),
);

/** Runs `dalbench run ARGS --out DIR` as its own process; resolves with its exit code. */
export type RunProcess = (
  args: readonly string[],
  hooks: { signal?: AbortSignal; onLine?: (line: string) => void },
) => Promise<number>;

export const runDalbenchProcess: RunProcess = (args, hooks) =>
  new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [BIN, 'run', ...args], {
      stdio: ['ignore', 'pipe', 'pipe'],
      env: process.env,
    });
    const onAbort = () => child.kill('SIGTERM');
    hooks.signal?.addEventListener('abort', onAbort, { once: true });
    let pending = '';
    const forward = (chunk: Buffer) => {
      pending += chunk.toString('utf8');
      const lines = pending.split('\n');
      pending = lines.pop() ?? '';
      for (const line of lines) if (line.trim()) hooks.onLine?.(line);
    };
    child.stdout.on('data', forward);
    child.stderr.on('data', forward);
    child.on('error', (error) => {
      hooks.signal?.removeEventListener('abort', onAbort);
      reject(new AaRunError(`cannot start \`dalbench run\` (${BIN})`, { cause: error }));
    });
    child.on('close', (code, signal) => {
      hooks.signal?.removeEventListener('abort', onAbort);
      if (pending.trim()) hooks.onLine?.(pending);
      resolve(code ?? (signal ? 128 : 1));
    });
  });

/**
 * N separate invocations of `dalbench run RUN_ARGS`: each a process of its own with its own stores.
 * A run that exits non-zero still counts when it wrote results (e.g. one scenario errored); one that
 * wrote none stops the set with its exit code.
 */
export async function runSeparateInvocations(
  runArgs: readonly string[],
  runs: number,
  outDir: string,
  hooks: { signal?: AbortSignal; onLine?: (line: string) => void; runProcess?: RunProcess } = {},
): Promise<AaRun[]> {
  const runProcess = hooks.runProcess ?? runDalbenchProcess;
  const out: AaRun[] = [];
  for (let i = 1; i <= runs; i++) {
    if (hooks.signal?.aborted) break;
    const dir = path.join(outDir, `run-${i}`);
    hooks.onLine?.(`A/A invocation ${i} of ${runs}: dalbench run ${runArgs.join(' ')} --out ${dir}`);
    const code = await runProcess([...runArgs, '--out', dir], {
      ...(hooks.signal ? { signal: hooks.signal } : {}),
      onLine: (line) => hooks.onLine?.(`  [run ${i}] ${line}`),
    });
    const file = path.join(dir, RESULTS_FILE);
    if (!existsSync(file))
      throw new AaRunError(`A/A invocation ${i} of ${runs} exited ${code} without writing ${file}`);
    if (code !== 0) hooks.onLine?.(`A/A invocation ${i} exited ${code}; its results are used as written`);
    out.push({ path: file, results: await readResults(file) });
  }
  return out;
}

/** N runs in this process on one set of stores (provisioned once): spread within one invocation. */
export async function runOnSharedStores(
  plan: RunPlan,
  runs: number,
  outDir: string,
  hooks: {
    signal?: AbortSignal;
    onEvent?: (event: RunEvent) => void;
    provision?: RunHooks['provision'];
  } = {},
): Promise<AaRun[]> {
  const log = (line: string) => hooks.onEvent?.({ type: 'log', line });
  const provision = hooks.provision ?? ((kinds, l) => provisionStores(plan.stores, kinds, l));
  // Stores come up once for the whole set, so every run measures the same servers.
  await using stores = await provision(storeKinds(plan.profiles), log);
  const shared = borrowStores(stores);
  const out: AaRun[] = [];
  for (let i = 1; i <= runs; i++) {
    if (hooks.signal?.aborted) break;
    log(`A/A run ${i} of ${runs} (shared stores)`);
    const results = await runBenchmark(plan, {
      ...(hooks.signal ? { signal: hooks.signal } : {}),
      ...(hooks.onEvent ? { onEvent: hooks.onEvent } : {}),
      provision: () => Promise.resolve(shared),
    });
    out.push({ path: await writeResults(path.join(outDir, `run-${i}`), results), results });
  }
  return out;
}

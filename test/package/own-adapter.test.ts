// The public API as a user meets it: `npm pack` this repository, install the tarball into a copy of
// examples/own-adapter, prove its own time-series backend with the exported contract suite, type-check
// it against the types the package ships, and compare its profile with `dalbench run` on this test
// run's stores. A broken export, a missing dist/ file or a config that no longer loads fails here.
import { spawn } from 'node:child_process';
import { cpSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import type { Results } from '../../index.ts';
import { requireStore, unavailableReason } from '../support/stores.ts';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const EXAMPLE = join(ROOT, 'examples', 'own-adapter');
const STORES = ['postgres', 'elasticsearch', 's3', 'redis'] as const;
const missing = STORES.map(unavailableReason).find((reason) => reason !== undefined);

interface Finished {
  code: number | null;
  output: string;
}

/** Run a command to its end; its output is kept for the failure message. */
function run(
  command: string,
  args: readonly string[],
  cwd: string,
  env: NodeJS.ProcessEnv,
): Promise<Finished> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, {
      cwd,
      env,
      stdio: ['ignore', 'pipe', 'pipe'],
      signal: AbortSignal.timeout(300_000),
    });
    let output = '';
    const keep = (chunk: Buffer) => void (output = (output + chunk.toString('utf8')).slice(-20_000));
    child.stdout.on('data', keep);
    child.stderr.on('data', keep);
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, output }));
  });
}

/**
 * The environment of a user's shell: this process's without vitest's own variables (the example runs
 * a vitest of its own) and without any DALBENCH_* setting but the URLs of this run's stores.
 */
function userEnv(): NodeJS.ProcessEnv {
  const env = Object.fromEntries(
    Object.entries(process.env).filter(
      ([key]) => !/^(VITEST|DALBENCH_)|^(TEST|NODE_ENV|NODE_OPTIONS)$/.test(key),
    ),
  );
  return {
    ...env,
    DALBENCH_POSTGRES_URL: requireStore('postgres').url,
    DALBENCH_ELASTICSEARCH_URL: requireStore('elasticsearch').url,
    DALBENCH_S3_URL: requireStore('s3').url,
    DALBENCH_REDIS_URL: requireStore('redis').url,
  };
}

describe.skipIf(missing !== undefined)(
  `examples/own-adapter from the packed tarball${missing ? ` (${missing})` : ''}`,
  () => {
    it('installs, passes the contract suite, type-checks and compares brin-postgres with dalbench run', async () => {
      const work = mkdtempSync(join(tmpdir(), 'dalbench-own-adapter-'));
      const steps: string[] = [];
      const step = async (label: string, command: string, args: readonly string[], cwd: string) => {
        const began = performance.now();
        const done = await run(command, args, cwd, userEnv());
        steps.push(`${label} ${((performance.now() - began) / 1000).toFixed(1)} s`);
        expect(done.code, `${label} (${command} ${args.join(' ')}) failed:\n${done.output}`).toBe(0);
        return done.output;
      };
      try {
        await step('npm pack', 'npm', ['pack', '--pack-destination', work], ROOT);
        const { version } = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as {
          version: string;
        };
        const tarball = join(work, `dalbench-${version}.tgz`);
        const project = join(work, 'project');
        cpSync(EXAMPLE, project, { recursive: true, filter: (source) => !source.includes('node_modules') });
        const install = ['install', tarball, '--no-audit', '--no-fund', '--prefer-offline'];
        await step('npm install', 'npm', install, project);
        await step('contract suite', 'npx', ['vitest', 'run'], project);
        await step('tsc', 'npx', ['tsc', '--noEmit'], project);
        const out = join(work, 'out');
        const compare = ['run', '--scenario', 'metrics-query', '--profile', 'brin-postgres,single-postgres'];
        await step(
          'dalbench run',
          'npx',
          ['dalbench', ...compare, '--quick', '--stores', 'external', '--out', out],
          project,
        );

        const results = JSON.parse(readFileSync(join(out, 'results.json'), 'utf8')) as Results;
        const brin = results.scenarios.find((s) => s.profile === 'brin-postgres');
        expect(brin, 'results.json has no brin-postgres result').toBeDefined();
        expect(brin?.status).toBe('completed');
        // Every shape the scenario runs (query, range, wide, last-point, top-k) goes through the own adapter.
        expect(brin?.operations.map((o) => o.name).sort()).toEqual([
          'last-point',
          'query',
          'range',
          'top-k',
          'wide',
        ]);
        for (const operation of brin?.operations ?? []) {
          expect(operation.count, operation.name).toBeGreaterThan(0);
          expect(operation.errors, operation.name).toEqual({});
        }
        expect(results.scenarios.map((s) => s.profile).sort()).toEqual(['brin-postgres', 'single-postgres']);
      } finally {
        process.stderr.write(`[own-adapter] ${steps.join(', ')}\n`);
        rmSync(work, { recursive: true, force: true });
      }
    }, 600_000);
  },
);

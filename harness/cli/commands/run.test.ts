// `dalbench run` as a user calls it, in process with the test run's stores (external mode, from
// DALBENCH_*_URL): exit codes for errored, skipped and interrupted runs, budgets from the config,
// budgets over what the run left out, refused flag combinations.
import { captureIo } from '../../../test/support/capture-io.ts';
import { requireStore } from '../../../test/support/stores.ts';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readResults } from '../../report/results-io.ts';
import { main } from '../main.ts';

describe('dalbench run flag errors', () => {
  it.each([
    [['--confirm', 'x'], '--confirm: expected an integer from 0 to 20'],
    [['--confirm', '2'], '--confirm needs --budgets'],
    [['--max-error-share', '200%'], '--max-error-share: expected a share from 0% to 100%'],
    [['--driver', 'http', '--rate', '50'], '--driver http cannot be combined with --rate'],
    [['--driver', 'both', '--shard', '1/2'], '--driver both cannot be combined with --shard'],
    [['--faults', 'no-such-plan.yaml'], 'no-such-plan.yaml: cannot read fault plan'],
    [['--faults', 'examples/faults/es-cut.yaml', '--driver', 'http'], '--faults applies to the dal driver'],
    [['--store-memory', 'postgres.heap=1GB'], '--store-memory: "postgres.heap=1GB": expected KEY=SIZE'],
    [['--store-memory', 'elasticsearch.heap=64MB'], '--store-memory: elasticsearch.heap=64MB: expected'],
  ])(
    'run %j exits 2 naming the flag and leaves no SIGINT or SIGTERM listener behind',
    async (flags, message) => {
      const before = [process.listeners('SIGINT'), process.listeners('SIGTERM')];
      const io = captureIo();
      const code = await main(['run', '--profile', 'polyglot', ...flags], io);
      expect(code).toBe(2);
      expect(io.stderr).toContain(message);
      expect([process.listeners('SIGINT'), process.listeners('SIGTERM')]).toEqual(before);
    },
  );
});

// The CLI runs in external mode against the test run's own PostgreSQL (local or given by URL), so
// these tests run in CI too; the variable is restored afterwards.
describe('dalbench run on the test stores (external mode)', () => {
  let dir: string;
  let config: string;
  let restoreEnv: (() => void) | undefined;
  const module = (file: string) => JSON.stringify(pathToFileURL(resolve(file)).href);
  beforeAll(async () => {
    const previous = process.env['DALBENCH_POSTGRES_URL'];
    process.env['DALBENCH_POSTGRES_URL'] = requireStore('postgres').url;
    restoreEnv = () => {
      if (previous === undefined) delete process.env['DALBENCH_POSTGRES_URL'];
      else process.env['DALBENCH_POSTGRES_URL'] = previous;
    };
    dir = await mkdtemp(join(tmpdir(), 'dalbench-run-cli-'));
    config = join(dir, 'scenarios.config.ts');
    await writeFile(config, configModule(''));
  });
  afterAll(async () => {
    restoreEnv?.();
    await rm(dir, { recursive: true, force: true });
  });

  /** Three tiny scenarios: one whose load fails, one that does nothing, one needing an absent store. */
  function configModule(defaults: string): string {
    return `import { defineConfig } from ${module('harness/run/config.ts')};
import { defineScenario } from ${module('harness/workload/scenario.ts')};
const op = { name: 'op', weight: 1, run: async () => {} };
export default defineConfig({
  scenarios: [
    defineScenario({ name: 'boom', description: 'its load fails', data: { records: 1 }, operations: [op],
      load: async () => { throw new Error('load exploded on purpose'); } }),
    defineScenario({ name: 'noop', description: 'does nothing', data: { records: 1 }, phases: { load: false }, operations: [op] }),
    defineScenario({ name: 'needs-timescale', description: 'needs a store single-postgres does not bring',
      stores: ['timescaledb'], data: { records: 1 }, phases: { load: false }, operations: [op] }),
  ],
  defaults: { ${defaults} },
});
`;
  }

  const run = async (name: string, args: string[], cfg = config) => {
    const out = join(dir, name);
    const io = captureIo(process.env);
    const code = await main(
      [
        'run',
        '--config',
        cfg,
        '--stores',
        'external',
        '--profile',
        'single-postgres',
        '--concurrency',
        '1',
        '--duration',
        '300ms',
        '--warmup',
        '1ms',
        '--out',
        out,
        '--json',
        ...args,
      ],
      io,
    );
    return { code, io, out };
  };

  it('an errored scenario exits 2 without budgets (results written); --allow-errors exits 0 as before', async () => {
    const errored = await run('errored', ['--scenario', 'boom,noop']);
    expect(errored.code, errored.io.stderr).toBe(2);
    expect(errored.io.stderr).toMatch(/boom\/single-postgres#0 errored \(load phase failed: .*exploded/);
    const results = await readResults(join(errored.out, 'results.json'));
    expect(results.scenarios.map((s) => `${s.scenario}:${s.status}`)).toEqual([
      'boom:errored',
      'noop:completed',
    ]);
    const allowed = await run('allowed', ['--scenario', 'boom', '--allow-errors']);
    expect(allowed.code, allowed.io.stderr).toBe(0);
  });

  it('--no-equal-memory, else defaults.equalMemory, decides equal memory per profile (recorded in the config)', async () => {
    const configOf = async (name: string, args: string[], cfg = config) => {
      const ran = await run(name, ['--scenario', 'noop', ...args], cfg);
      expect(ran.code, ran.io.stderr).toBe(0);
      return (await readResults(join(ran.out, 'results.json'))).run.config;
    };
    expect(await configOf('equal-default', [])).not.toHaveProperty('equalMemory');
    expect(await configOf('equal-off', ['--no-equal-memory'])).toMatchObject({ equalMemory: false });
    const off = join(dir, 'equal-off.config.ts');
    await writeFile(off, configModule('equalMemory: false'));
    // Commander defaults a lone --no-X flag to true: that default must not override the config's false.
    expect(await configOf('equal-config-off', [], off)).toMatchObject({ equalMemory: false });
  });

  it('a scenario skipped with its reason stays exit 0', async () => {
    const skipped = await run('skipped', ['--scenario', 'needs-timescale,noop']);
    expect(skipped.code, skipped.io.stderr).toBe(0);
    const results = await readResults(join(skipped.out, 'results.json'));
    expect(results.scenarios[0]).toMatchObject({ scenario: 'needs-timescale', status: 'skipped' });
  });

  it('defaults.budgets in dalbench.config.ts is used when --budgets is not given', async () => {
    const budgets = join(dir, 'noop-budgets.yaml');
    await writeFile(budgets, 'name: noop\nbudgets:\n  - expr: "p99(noop.op, single-postgres) < 10s"\n');
    const withDefaults = join(dir, 'defaults.config.ts');
    await writeFile(withDefaults, configModule(`budgets: ${JSON.stringify(budgets)}`));
    const judged = await run('defaults', ['--scenario', 'noop'], withDefaults);
    expect(judged.code, judged.io.stderr).toBe(0);
    const summary = JSON.parse(judged.io.stdout) as { verdicts: { budget: string; status: string }[] | null };
    expect(summary.verdicts).toEqual([
      expect.objectContaining({ budget: 'p99(noop.op, single-postgres) < 10s', status: 'pass' }),
    ]);
    expect(await readFile(join(judged.out, 'junit.xml'), 'utf8')).toContain('p99(noop.op');
  });

  it('--budgets adr-024 on a subset run: results first, budgets outside the selection "not in this run", exit unchanged', async () => {
    const subset = await run('subset', ['--scenario', 'noop', '--budgets', 'adr-024']);
    expect(subset.code, subset.io.stderr).toBe(0);
    const results = await readResults(join(subset.out, 'results.json'));
    const verdicts = results.verdicts ?? [];
    expect(verdicts.filter((v) => v.status !== 'not-in-run').map((v) => [v.budget, v.status])).toEqual([
      ['errorRate(*, *) < 0.001 [noop / single-postgres]', 'pass'],
    ]);
    const outside = verdicts.find((v) => v.budget.startsWith('p99(realtime-detection'));
    expect(outside?.status).toBe('not-in-run');
    expect(outside?.message).toMatch(/scenario "realtime-detection" was not selected \(this run: noop\)/);
  });

  it('a budget that selects nothing within the run is an error (exit 2), and results.json is still written', async () => {
    const typo = join(dir, 'typo.yaml');
    await writeFile(typo, 'name: typo\nbudgets:\n  - expr: "p99(noop.nope) < 1s"\n');
    const bad = await run('typo', ['--scenario', 'noop', '--budgets', typo]);
    expect(bad.code).toBe(2);
    expect(bad.io.stderr).toMatch(/typo\.yaml: budget "p99\(noop\.nope\) < 1s": selects nothing/);
    const results = await readResults(join(bad.out, 'results.json'));
    expect(results.scenarios.map((s) => s.status)).toEqual(['completed']);
    // a scenario name no run could select is refused before anything runs
    const misspelt = join(dir, 'misspelt.yaml');
    await writeFile(misspelt, 'name: typo\nbudgets:\n  - expr: "p99(nopp.op) < 1s"\n');
    const early = await run('misspelt', ['--scenario', 'noop', '--budgets', misspelt]);
    expect(early.code).toBe(2);
    expect(early.io.stderr).toMatch(/no scenario matches "nopp"/);
    expect(early.io.stderr).not.toMatch(/▶ noop/);
  });

  it('SIGTERM stops the run like Ctrl-C (partial results, exit 2); a second signal exits through io.exit', async () => {
    const out = join(dir, 'sigterm');
    const io = captureIo(process.env);
    const running = main(
      [
        'run',
        '--config',
        config,
        '--stores',
        'external',
        '--profile',
        'single-postgres',
        '--scenario',
        'noop',
        '--concurrency',
        '1',
        '--duration',
        '30s',
        '--warmup',
        '1ms',
        '--out',
        out,
      ],
      io,
    );
    const deadline = Date.now() + 30_000;
    while (!/▶ noop/.test(io.stderr) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
    expect(io.stderr).toMatch(/▶ noop/);
    process.emit('SIGTERM', 'SIGTERM');
    process.emit('SIGTERM', 'SIGTERM');
    expect(io.exits).toEqual([143]);
    expect(io.stderr).toMatch(/SIGTERM again: exiting without results/);
    expect(await running).toBe(2);
    const results = await readResults(join(out, 'results.json'));
    expect(results.run.status).toBe('incomplete');
    expect(results.run.incompleteReason).toMatch(/interrupted \(SIGTERM\)/);
    expect(process.listeners('SIGTERM')).toEqual([]);
  });
});

// Flags and dalbench.config.ts are validated at the edge: errors name the flag, file and field.
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { describe, expect, it } from 'vitest';
import { defineProfile } from '../../reference-dal/profiles/profile.ts';
import { ConfigError, defineConfig, loadConfigFile } from './config.ts';
import { parseDuration } from './duration.ts';
import { FlagError, resolvePlan, runCatalogue } from './resolve-plan.ts';

const seed = () => 99;

describe('resolvePlan', () => {
  it('defaults to every scenario on the three built-in profiles, with the seed it was given', () => {
    const plan = resolvePlan({ quick: true }, undefined, seed);
    expect(plan.scenarios.map((s) => s.scenario.name)).toHaveLength(10);
    expect(plan.profiles.map((p) => p.name)).toEqual(['polyglot', 'single-postgres', 'polyglot-nocache']);
    expect(plan.seed).toBe(99);
    expect(plan.load).toEqual({ type: 'closed', concurrency: 4 });
  });

  it('--scale sweeps sizes outermost, names each size in the scenario, and sizes the data from the scale', () => {
    const plan = resolvePlan(
      { quick: true, scale: 'xs,m', scenario: 'metrics-query,experiment-search' },
      undefined,
      seed,
    );
    expect(plan.scenarios.map((s) => s.scenario.name)).toEqual([
      'metrics-query@xs',
      'experiment-search@xs',
      'metrics-query@m',
      'experiment-search@m',
    ]);
    expect(plan.scenarios.map((s) => s.scale?.name)).toEqual(['xs', 'xs', 'm', 'm']);
    expect(plan.scenarios.map((s) => s.scale?.factor)).toEqual([16_000 / 600_000, 16_000 / 600_000, 25, 25]);
    expect(plan.scenarios[3]?.scenario.data.records).toBe(200_000);
    expect(plan.scenarios[2]?.scenario.description).toMatch(/100 series × 150000 points/);
    expect(plan.config['scales']).toEqual(['xs', 'm']);
    expect(
      resolvePlan({ scale: '2.5', scenario: 'metrics-query' }, undefined, seed).scenarios[0]?.scenario.name,
    ).toBe('metrics-query@x2_5');
  });

  it('--scale refuses unknown sizes and scenarios that do not say how their data grows', () => {
    expect(() => resolvePlan({ scale: 'xl', scenario: 'metrics-query' }, undefined, seed)).toThrow(
      /--scale: unknown scale "xl"/,
    );
    expect(() => resolvePlan({ scale: 's,s', scenario: 'metrics-query' }, undefined, seed)).toThrow(
      /listed twice/,
    );
    expect(() =>
      resolvePlan({ scale: 's', scenario: 'metrics-query,model-artifacts' }, undefined, seed),
    ).toThrow(
      /--scale: model-artifacts does not declare how its data grows; choose scenarios that do with --scenario \(metrics-ingest, metrics-query, experiment-search\)/,
    );
  });

  it('rejects bad flags naming the flag', () => {
    expect(() => resolvePlan({ scenario: 'nope' }, undefined, seed)).toThrow(/--scenario: unknown "nope"/);
    expect(() => resolvePlan({ rate: '10', concurrency: '2' }, undefined, seed)).toThrow(
      /exclude each other/,
    );
    expect(() => resolvePlan({ concurrency: '1.5' }, undefined, seed)).toThrow(/--concurrency/);
    expect(() => resolvePlan({ driver: 'grpc' }, undefined, seed)).toThrow(/--driver/);
    expect(() => resolvePlan({ stores: 'cloud' }, undefined, seed)).toThrow(/cloud/);
    expect(() => resolvePlan({ duration: 'soon' }, undefined, seed)).toThrow(/--duration/);
    expect(() => resolvePlan({ reuseData: true, shard: '2/3' }, undefined, seed)).toThrow(
      /--reuse-data and --shard exclude each other: shards do not share one dataset/,
    );
  });

  it('--reuse-data: from the flag, else the config default; recorded in the config only when on', () => {
    const config = { defaults: { reuseData: true } } as Parameters<typeof resolvePlan>[1];
    expect(resolvePlan({}, undefined, seed).reuseData).toBe(false);
    expect(resolvePlan({}, undefined, seed).config).not.toHaveProperty('reuseData');
    expect(resolvePlan({ reuseData: true }, undefined, seed).config).toMatchObject({ reuseData: true });
    expect(resolvePlan({}, config, seed).reuseData).toBe(true);
    expect(resolvePlan({ reuseData: false }, config, seed).reuseData).toBe(false);
  });

  it('equal memory per profile: on by default; --no-equal-memory or the config default turns it off', () => {
    const off = { defaults: { equalMemory: false } } as Parameters<typeof resolvePlan>[1];
    const on = { defaults: { equalMemory: true } } as Parameters<typeof resolvePlan>[1];
    expect(resolvePlan({}, undefined, seed).equalMemory).toBe(true);
    expect(resolvePlan({}, undefined, seed).config).not.toHaveProperty('equalMemory');
    expect(resolvePlan({}, off, seed).equalMemory).toBe(false);
    expect(resolvePlan({}, off, seed).config).toMatchObject({ equalMemory: false });
    expect(resolvePlan({ equalMemory: false }, on, seed).equalMemory).toBe(false);
  });

  it('stores: --stores, else DALBENCH_STORES, else the config default, else auto; a bad env value names the variable', () => {
    const config = { defaults: { stores: 'local' } } as Parameters<typeof resolvePlan>[1];
    const env = { DALBENCH_STORES: 'external' };
    expect(resolvePlan({ stores: 'docker' }, config, seed, env).stores).toBe('docker');
    expect(resolvePlan({}, config, seed, env).stores).toBe('external');
    expect(resolvePlan({}, config, seed, { DALBENCH_STORES: ' ' }).stores).toBe('local');
    expect(resolvePlan({}, undefined, seed, {}).stores).toBe('auto');
    expect(() => resolvePlan({}, config, seed, { DALBENCH_STORES: 'cloud' })).toThrow(/DALBENCH_STORES/);
  });

  it('refuses --driver http or both with --rate or --shard, naming the flags (the http driver is one closed-loop stream)', () => {
    for (const driver of ['http', 'both']) {
      expect(() => resolvePlan({ driver, rate: '100' }, undefined, seed)).toThrow(FlagError);
      expect(() => resolvePlan({ driver, rate: '100' }, undefined, seed)).toThrow(
        new RegExp(`--driver ${driver} cannot be combined with --rate`),
      );
      expect(() => resolvePlan({ driver, shard: '1/2' }, undefined, seed)).toThrow(
        new RegExp(`--driver ${driver} cannot be combined with --shard`),
      );
      // a rate from the config's defaults is named as such
      const config = defineConfig({ defaults: { rate: 50 } });
      expect(() => resolvePlan({ driver }, config, seed)).toThrow(/defaults\.rate \(dalbench\.config\.ts\)/);
      // --concurrency makes the run closed-loop, which the http driver does
      expect(resolvePlan({ driver, concurrency: '2' }, config, seed).driver).toBe(driver);
    }
    expect(resolvePlan({ driver: 'dal', rate: '100', shard: '1/2' }, undefined, seed).driver).toBe('dal');
  });

  it('--warmup stable[:CAP] warms up until the p50 settles; a bad cap or the http driver is refused', () => {
    const stable = resolvePlan({ warmup: 'stable' }, undefined, seed);
    expect(stable.warmupUntilStable).toEqual({ capMs: 60_000, windowMs: 1_000, tolerance: 0.1, windows: 3 });
    expect(stable.warmupMs).toBeUndefined();
    expect(stable.config['warmupMs']).toMatch(
      /^until stable \(p50 within ±10 % over 3 windows of 1000 ms, cap 60000 ms\)$/,
    );
    expect(resolvePlan({ warmup: 'stable:30s' }, undefined, seed).warmupUntilStable?.capMs).toBe(30_000);
    expect(resolvePlan({ warmup: '2s' }, undefined, seed)).toMatchObject({
      warmupMs: 2_000,
      warmupUntilStable: undefined,
    });
    expect(() => resolvePlan({ warmup: 'stable:' }, undefined, seed)).toThrow(
      /--warmup: expected a duration/,
    );
    expect(() => resolvePlan({ warmup: 'stable:0ms' }, undefined, seed)).toThrow(
      /--warmup: must be at least 1ms/,
    );
    expect(() => resolvePlan({ warmup: 'stabl' }, undefined, seed)).toThrow(/--warmup: expected a duration/);
    expect(() => resolvePlan({ warmup: 'stable', driver: 'http' }, undefined, seed)).toThrow(
      /--driver http cannot be combined with --warmup stable/,
    );
  });

  it('lists every scenario and profile a run could select (for budgets naming what a run left out)', () => {
    const extra = defineProfile({
      name: 'pg-only',
      description: 'x',
      requires: ['postgres'],
      storage: () => ({ configs: [] }),
    });
    const catalogue = runCatalogue(defineConfig({ profiles: [extra] }));
    expect(catalogue.profiles).toEqual([
      'polyglot',
      'single-postgres',
      'polyglot-nocache',
      'polyglot-caggs',
      'pg-only',
    ]);
    expect(catalogue.scenarios).toContain('metrics-query');
    expect(catalogue.scenarios).toContain('migration');
  });

  it('takes profiles and defaults from a config', () => {
    const extra = defineProfile({
      name: 'pg-only',
      description: 'x',
      requires: ['postgres'],
      storage: () => ({ configs: [] }),
    });
    const config = defineConfig({
      profiles: [extra],
      defaults: { profiles: ['pg-only'], seed: 5, rate: 20 },
    });
    const plan = resolvePlan({}, config, seed);
    expect(plan.profiles.map((p) => p.name)).toEqual(['pg-only']);
    expect(plan.seed).toBe(5);
    expect(plan.load).toEqual({ type: 'open', ratePerSec: 20 });
  });
});

describe('defineConfig', () => {
  it('names the file and field of a bad config', () => {
    expect(() => defineConfig({ defaults: { concurrency: -1 } }, 'dalbench.config.ts')).toThrow(ConfigError);
    expect(() => defineConfig({ profiles: [{ name: 'x' }] } as never, 'dalbench.config.ts')).toThrow(
      /dalbench\.config\.ts: profiles\[0\]: expected a profile made by defineProfile/,
    );
  });
});

describe('parseDuration', () => {
  it('reads ms, s, m and bare seconds', () => {
    expect([
      parseDuration('500ms', 'x'),
      parseDuration('2s', 'x'),
      parseDuration('1m', 'x'),
      parseDuration('3', 'x'),
    ]).toEqual([500, 2_000, 60_000, 3_000]);
  });
});

describe('loadConfigFile', () => {
  it('names the file once and the field once when defineConfig throws while the module loads', async () => {
    const dir = await mkdtemp(path.join(os.tmpdir(), 'dalbench-config-'));
    try {
      const file = path.join(dir, 'bad.config.ts');
      const configModule = pathToFileURL(path.resolve('harness/run/config.ts')).href;
      await writeFile(
        file,
        `import { defineConfig } from ${JSON.stringify(configModule)};\nexport default defineConfig({ defaults: { concurrency: -1 } });\n`,
      );
      const error = await loadConfigFile('bad.config.ts', dir).then(
        () => undefined,
        (e: unknown) => e,
      );
      expect(error).toBeInstanceOf(ConfigError);
      expect((error as ConfigError).message).toMatch(
        new RegExp(`^${escapeRegExp(file)}: defaults\\.concurrency: Too small`),
      );
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

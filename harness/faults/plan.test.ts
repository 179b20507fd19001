// Fault plans at the edge: every form parses to the same steps in ms; a bad plan names the step and field.
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FaultPlanError, describeStep, loadFaultPlan, parseFaultPlan, parseFaultPlanText } from './plan.ts';

const STEPS = [
  { at: '5s', store: 'redis', action: 'kill', restartAfter: '2s' },
  { at: { afterOps: 100 }, store: 'postgres', action: 'pause', for: '3s' },
  { at: 250, store: 'elasticsearch', action: 'cut', for: '1.5s' },
  { at: '1m', store: 's3', action: 'delay', for: '3s', delayMs: 50, jitterMs: 10 },
  { at: '0s', store: 'redis', action: 'drop' },
  { at: '6s', store: 'timescaledb', action: 'throttle', for: '2s', bytesPerSecond: 4096 },
];

describe('fault plan', () => {
  it('resolves every action to plain steps in milliseconds', () => {
    const plan = parseFaultPlan({ name: 'matrix', steps: STEPS }, 'plan.json');
    expect(plan.name).toBe('matrix');
    expect(plan.steps).toEqual([
      { index: 0, start: { atMs: 5000 }, store: 'redis', action: 'kill', restartAfterMs: 2000 },
      { index: 1, start: { afterOps: 100 }, store: 'postgres', action: 'pause', forMs: 3000 },
      { index: 2, start: { atMs: 250 }, store: 'elasticsearch', action: 'cut', forMs: 1500 },
      {
        index: 3,
        start: { atMs: 60_000 },
        store: 's3',
        action: 'delay',
        forMs: 3000,
        delayMs: 50,
        jitterMs: 10,
      },
      { index: 4, start: { atMs: 0 }, store: 'redis', action: 'drop', forMs: undefined },
      {
        index: 5,
        start: { atMs: 6000 },
        store: 'timescaledb',
        action: 'throttle',
        forMs: 2000,
        bytesPerSecond: 4096,
      },
    ]);
    expect(Object.isFrozen(plan.steps[0])).toBe(true);
    expect(describeStep(plan.steps[0]!)).toBe('#0 at 5000 ms: kill redis, restart after 2000 ms');
    expect(describeStep(plan.steps[3]!)).toBe('#3 at 60000 ms: delay s3, +50±10 ms for 3000 ms');
  });

  it('takes a bare list of steps too', () => {
    expect(parseFaultPlan([STEPS[0]], 'p.yaml').steps).toHaveLength(1);
  });

  it.each([
    [[{ ...STEPS[1], for: undefined }], /p\.yaml: steps\[0\]\.for: /],
    [[STEPS[0], { ...STEPS[2], store: 'mysql' }], /steps\[1\]\.store: .*postgres/],
    [[{ ...STEPS[3], delayMs: -1 }], /steps\[0\]\.delayMs: /],
    [[{ ...STEPS[3], jitterMs: 'lots' }], /steps\[0\]\.jitterMs: /],
    [[{ ...STEPS[5], bytesPerSecond: 0 }], /steps\[0\]\.bytesPerSecond: /],
    [[{ ...STEPS[0], at: '5 seconds' }], /steps\[0\]\.at: .*duration like "5s"/],
    [[{ ...STEPS[2], for: '0ms' }], /steps\[0\]\.for: must be between 1 ms/],
    [[{ ...STEPS[0], action: 'explode' }], /steps\[0\]\.action: /],
    // A field of another action is refused, not ignored: `for` on kill would silently mean nothing.
    [[{ ...STEPS[0], for: '3s' }], /steps\[0\]: .*"for"/],
    [[{ ...STEPS[2], delayMs: 5 }], /steps\[0\]: .*"delayMs"/],
    [[{ ...STEPS[1], at: { afterOps: -3 } }], /steps\[0\]\.at/],
    [[], /p\.yaml: steps: /],
  ])('names the step and field of a bad plan (%#)', (steps, message) => {
    expect(() => parseFaultPlan({ steps }, 'p.yaml')).toThrow(FaultPlanError);
    expect(() => parseFaultPlan({ steps }, 'p.yaml')).toThrow(message);
  });

  it('names the field of a bare list the same way', () => {
    expect(() => parseFaultPlan([STEPS[0], { ...STEPS[1], for: 'soon' }], 'bare.json')).toThrow(
      /bare\.json: steps\[1\]\.for: expected a duration/,
    );
  });

  it('reports a YAML syntax error with the file name', () => {
    expect(() => parseFaultPlanText('steps: [\n  { at: 5s', 'broken.yaml')).toThrow(
      /broken\.yaml: syntax error/,
    );
  });

  describe('files', () => {
    let dir = '';
    beforeAll(async () => {
      dir = await mkdtemp(join(tmpdir(), 'dalbench-plan-'));
    });
    afterAll(async () => {
      await rm(dir, { recursive: true, force: true });
    });

    it('loads .json, .yaml and a TS module default export to the same plan', async () => {
      const json = join(dir, 'plan.json');
      await writeFile(json, JSON.stringify({ steps: STEPS }));
      const yaml = join(dir, 'plan.yaml');
      await writeFile(
        yaml,
        [
          'steps:',
          ...STEPS.map(
            (s) =>
              `  - ${JSON.stringify(s)
                .slice(1, -1)
                .replace(/"(\w+)":/g, '$1: ')
                .replace(/^/, '{ ')} }`,
          ),
        ].join('\n'),
      );
      const module = join(dir, 'plan.ts');
      const planModule = new URL('./plan.ts', import.meta.url).pathname;
      await writeFile(
        module,
        `import { defineFaultPlan } from ${JSON.stringify(planModule)};\nexport default defineFaultPlan({ steps: ${JSON.stringify(STEPS)} });\n`,
      );
      const raw = join(dir, 'raw.ts');
      await writeFile(raw, `export default ${JSON.stringify({ steps: STEPS })};\n`);
      const expected = parseFaultPlan({ steps: STEPS }).steps;
      for (const file of [json, yaml, module, raw]) {
        const plan = await loadFaultPlan(file);
        expect(plan.steps, file).toEqual(expected);
        expect(plan.source).toBe(file);
      }
    });

    it('refuses an unknown extension and a module without a default export, naming the file', async () => {
      await expect(loadFaultPlan(join(dir, 'plan.toml'))).rejects.toThrow(
        /plan\.toml: unknown fault plan file/,
      );
      const empty = join(dir, 'empty.ts');
      await writeFile(empty, 'export const nothing = 1;\n');
      await expect(loadFaultPlan(empty)).rejects.toThrow(
        /empty\.ts: fault plan module has no default export/,
      );
      const bad = join(dir, 'bad.json');
      await writeFile(bad, JSON.stringify({ steps: [{ ...STEPS[0], store: 'oracle' }] }));
      await expect(loadFaultPlan(bad)).rejects.toThrow(/bad\.json: steps\[0\]\.store/);
    });
  });
});

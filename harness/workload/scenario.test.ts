import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { defineScenario, loadScenarioFile, ScenarioDefinitionError, type ScenarioInput } from './scenario.ts';

const valid: ScenarioInput<undefined> = {
  name: 'dashboard-reads',
  description: 'read-heavy',
  stores: ['redis', 'postgres'],
  data: { records: 100, valueSize: 64 },
  operations: [
    { name: 'read', weight: 9, keys: { type: 'zipfian' }, run: () => Promise.resolve() },
    { name: 'write', weight: 1, valueSize: { min: 1, max: 10 }, run: () => Promise.resolve() },
  ],
};

function rejection(input: unknown): string {
  try {
    defineScenario(input as ScenarioInput<undefined>);
  } catch (error) {
    expect(error).toBeInstanceOf(ScenarioDefinitionError);
    return (error as Error).message;
  }
  throw new Error('expected the definition to be rejected');
}

describe('defineScenario', () => {
  it('fills defaults (zipfian θ 0.99, phases, value sizes) and freezes the result', () => {
    const scenario = defineScenario(valid);
    expect(scenario.operations[0]!.keys).toEqual({ type: 'zipfian', theta: 0.99, scrambled: false });
    expect(scenario.operations[0]!.valueSize).toBe(64);
    expect(scenario.operations[1]!.valueSize).toEqual({ min: 1, max: 10 });
    expect(scenario.operations[1]!.keys).toEqual({ type: 'uniform' });
    expect(scenario.phases).toEqual({ load: true, warmupMs: 1000, measureMs: 10_000 });
    expect(Object.isFrozen(scenario)).toBe(true);
  });

  it.each([
    [
      { ...valid, operations: [{ ...valid.operations[0]!, weight: -1 }] },
      /"dashboard-reads": operations\[0\]\.weight: .*>0/,
    ],
    [{ ...valid, stores: ['mongodb'] }, /stores\[0\]: /],
    [{ ...valid, name: 'Bad Name' }, /name: expected a kebab-case name/],
    [{ ...valid, data: { records: 0 } }, /data\.records: /],
    [{ ...valid, operations: [] }, /operations: expected at least one operation/],
    [
      { ...valid, operations: [valid.operations[0], valid.operations[0]] },
      /operations: expected unique operation names/,
    ],
    [
      { ...valid, operations: [{ ...valid.operations[0]!, keys: { type: 'zipfian', theta: 2 } }] },
      /operations\[0\]\.keys\.theta: /,
    ],
    [
      { ...valid, operations: [{ ...valid.operations[0]!, keys: { type: 'gaussian' } }] },
      /operations\[0\]\.keys\.type: /,
    ],
    [
      { ...valid, operations: [{ ...valid.operations[0]!, run: 'nope' }] },
      /operations\[0\]\.run: expected a function/,
    ],
    [{ ...valid, data: { records: 1, valueSize: { min: 5, max: 1 } } }, /data\.valueSize: /],
    [{ ...valid, warmup: 5 }, /warmup/],
  ])('rejects a bad definition naming the field (%#)', (input, message) => {
    expect(rejection(input)).toMatch(message);
  });
});

describe('loadScenarioFile', () => {
  it('names the file when its definition is bad, or when it exports no scenario', async () => {
    const dir = await mkdtemp(path.join(os.tmpdir(), 'dalbench-scenario-'));
    try {
      const scenarioModule = path.resolve('harness/workload/scenario.ts');
      const bad = path.join(dir, 'bad.ts');
      await writeFile(
        bad,
        `import { defineScenario } from ${JSON.stringify(scenarioModule)};\n` +
          `export default defineScenario({ name: 'x', description: 'd', data: { records: 1 }, operations: [{ name: 'a', weight: 0, run: async () => {} }] });\n`,
      );
      await expect(loadScenarioFile(bad)).rejects.toThrow(`${bad}: scenario "x": operations[0].weight`);
      const empty = path.join(dir, 'empty.ts');
      await writeFile(empty, 'export const nothing = 1;\n');
      await expect(loadScenarioFile(empty)).rejects.toThrow(
        `${empty}: expected a default export made by defineScenario`,
      );
      const good = path.join(dir, 'good.ts');
      await writeFile(
        good,
        `import { defineScenario } from ${JSON.stringify(scenarioModule)};\n` +
          `export default defineScenario({ name: 'ok', description: 'd', data: { records: 1 }, operations: [{ name: 'a', weight: 1, run: async () => {} }] });\n`,
      );
      expect((await loadScenarioFile(good)).name).toBe('ok');
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});

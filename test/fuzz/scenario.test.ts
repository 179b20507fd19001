// Fuzzed scenario definitions: a valid definition with one field replaced by a hostile value is
// accepted, or refused with a ScenarioDefinitionError naming the scenario and the field path.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { assertSyncProperty } from './support/sync-property.ts';
import { ScenarioDefinitionError, defineScenario, formatPath } from '../../harness/workload/scenario.ts';
import { hostileValue } from './support/hostile.ts';

const run = () => Promise.resolve();
const kebab = fc.stringMatching(/^[a-z][a-z0-9-]{0,15}$/);

const PATHS: readonly (readonly (string | number)[])[] = [
  ['name'],
  ['description'],
  ['stores'],
  ['data'],
  ['data', 'records'],
  ['data', 'valueSize'],
  ['data', 'seed'],
  ['phases'],
  ['phases', 'warmupMs'],
  ['phases', 'measureMs'],
  ['operations'],
  ['operations', 0],
  ['operations', 0, 'name'],
  ['operations', 0, 'weight'],
  ['operations', 0, 'keys'],
  ['operations', 0, 'valueSize'],
  ['operations', 0, 'inserts'],
  ['operations', 0, 'run'],
  ['load'],
  ['derive'],
];

function base(name: string, op: string, records: number, weight: number): Record<string, unknown> {
  return {
    name,
    description: 'fuzzed',
    data: { records, valueSize: 16 },
    phases: { warmupMs: 0, measureMs: 1000 },
    operations: [{ name: op, weight, run }],
  };
}

function setAt(target: Record<string, unknown>, path: readonly (string | number)[], value: unknown): void {
  let parent = target as Record<string | number, unknown>;
  for (const part of path.slice(0, -1)) parent = parent[part] as Record<string | number, unknown>;
  parent[path.at(-1)!] = value;
}

describe('fuzzed scenario definitions', () => {
  it('valid random definitions are accepted with their values', () => {
    assertSyncProperty(
      fc.property(
        kebab,
        kebab,
        fc.integer({ min: 1, max: 1e6 }),
        fc.double({ min: 0.001, max: 1e3, noNaN: true }),
        (name, op, records, weight) => {
          const scenario = defineScenario(base(name, op, records, weight) as never);
          expect(scenario.name).toBe(name);
          expect(scenario.operations[0]?.weight).toBe(weight);
        },
      ),
      150,
    );
  });

  it('one field replaced: accepted, or a ScenarioDefinitionError naming the scenario and the field', () => {
    assertSyncProperty(
      fc.property(kebab, fc.constantFrom(...PATHS), hostileValue, (name, path, value) => {
        const input = base(name, 'op', 10, 1);
        setAt(input, path, value);
        let error: unknown;
        try {
          defineScenario(input as never);
        } catch (caught) {
          error = caught;
        }
        if (error === undefined) return;
        expect(error).toBeInstanceOf(ScenarioDefinitionError);
        const message = (error as Error).message;
        const label =
          path[0] === 'name'
            ? typeof value === 'string' && value !== ''
              ? `scenario "${value}"`
              : 'scenario (unnamed)'
            : `scenario "${name}"`;
        expect(message.startsWith(`${label}: `), message).toBe(true);
        // The field, or (for a missing/garbled container) the container holding it.
        const named = [path.length, path.length - 1, 1]
          .filter((d) => d >= 1)
          .some((d) => message.includes(formatPath(path.slice(0, d))));
        expect(named, `${message} should name ${formatPath(path)}`).toBe(true);
      }),
      400,
    );
  });

  it('a definition that is not an object at all is refused as (unnamed), not a TypeError', () => {
    assertSyncProperty(
      fc.property(hostileValue, (value) => {
        expect(() => defineScenario(value as never)).toThrow(ScenarioDefinitionError);
      }),
      100,
    );
  });
});

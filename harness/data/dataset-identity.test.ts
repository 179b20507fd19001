// A dataset's identity: the same parts give the same id whatever the key order; a change to any part
// the data depends on (scenario, its data spec or load code, scale, seed, profile, version) gives
// another id, so a kept dataset is never taken for another's.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { assertSyncProperty } from '../conformance/support/seed.ts';
import { dalbenchVersion, datasetRequest, type DatasetParts } from './dataset-identity.ts';

const base: DatasetParts = {
  scenario: {
    name: 'metrics-query@m',
    description: 'bucketed aggregations (100 series × 150000 points)',
    data: { records: 100, valueSize: 0, seed: 0, readOnly: true },
    load: async () => {},
  },
  scale: { name: 'm', factor: 25 },
  seed: 7,
  profile: 'polyglot',
  version: '0.1.0',
};

/** One changed part at a time. */
const changes: Record<string, (p: DatasetParts) => DatasetParts> = {
  'scenario name': (p) => ({ ...p, scenario: { ...p.scenario, name: 'experiment-search@m' } }),
  description: (p) => ({ ...p, scenario: { ...p.scenario, description: `${p.scenario.description}.` } }),
  records: (p) => ({ ...p, scenario: { ...p.scenario, data: { ...p.scenario.data, records: 101 } } }),
  'data seed': (p) => ({ ...p, scenario: { ...p.scenario, data: { ...p.scenario.data, seed: 1 } } }),
  'load code': (p) => ({
    ...p,
    scenario: {
      ...p.scenario,
      load: async () => {
        await Promise.resolve();
      },
    },
  }),
  'scale name': (p) => ({ ...p, scale: { name: 's*25', factor: 25 } }),
  'scale factor': (p) => ({ ...p, scale: { name: 'm', factor: 26 } }),
  'no scale': (p) => ({ ...p, scale: undefined }),
  'run seed': (p) => ({ ...p, seed: 8 }),
  profile: (p) => ({ ...p, profile: 'single-postgres' }),
  version: (p) => ({ ...p, version: '0.1.1' }),
};

describe('dataset identity', () => {
  it('is a SHA-256 of canonical JSON: equal parts, equal id, whatever the key order', () => {
    const a = datasetRequest(base);
    expect(a.id).toMatch(/^[0-9a-f]{64}$/);
    const reordered: DatasetParts = {
      version: base.version,
      profile: base.profile,
      seed: base.seed,
      scale: { factor: 25, name: 'm' },
      scenario: {
        load: base.scenario.load,
        data: { readOnly: true, seed: 0, valueSize: 0, records: 100 },
        description: base.scenario.description,
        name: base.scenario.name,
      },
    };
    expect(datasetRequest(reordered)).toEqual(a);
    expect(JSON.parse(a.identity)).toMatchObject({ seed: 7, profile: 'polyglot', scale: { name: 'm' } });
  });

  it.each(Object.entries(changes))('a different %s is a different dataset', (_, change) => {
    const a = datasetRequest(base);
    const b = datasetRequest(change(base));
    expect(b.id).not.toBe(a.id);
    expect(b.identity).not.toBe(a.identity);
  });

  it('any two different seeds and scale factors give different ids', () => {
    assertSyncProperty(
      fc.property(
        fc.tuple(fc.integer(), fc.double({ min: 0.01, max: 1e4, noNaN: true })),
        fc.tuple(fc.integer(), fc.double({ min: 0.01, max: 1e4, noNaN: true })),
        ([seedA, factorA], [seedB, factorB]) => {
          fc.pre(seedA !== seedB || factorA !== factorB);
          const at = (seed: number, factor: number) =>
            datasetRequest({ ...base, seed, scale: { name: `s*${factor}`, factor } }).id;
          expect(at(seedA, factorA)).not.toBe(at(seedB, factorB));
        },
      ),
      200,
    );
  });

  it("reads this package's version from its package.json", () => {
    expect(dalbenchVersion()).toMatch(/^\d+\.\d+\.\d+/);
    expect(dalbenchVersion(new URL('file:///nonexistent/dir/'))).toBe('unknown');
  });
});

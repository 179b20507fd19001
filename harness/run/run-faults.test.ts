// `dalbench run --faults` on the test run's stores: a cut of Elasticsearch during polyglot's measure
// phase shows as search errors and a recorded fault; the profile without Elasticsearch says the step
// did not apply; process faults outside local mode and steps on stores the run lacks are refused up front.
import { describe, expect, it } from 'vitest';
import { builtInProfiles } from '../../reference-dal/profiles/builtin-profiles.ts';
import { builtInScenarios } from '../../scenarios/index.ts';
import { lentStores } from '../../test/support/stores.ts';
import { loadFaultPlan, parseFaultPlan } from '../faults/plan.ts';
import { runBenchmark } from './run-benchmark.ts';
import { runFaultTargets } from './run-faults.ts';

describe('run --faults', () => {
  it('cuts Elasticsearch inside polyglot’s measure phase: searches fail then, the fault is recorded; single-postgres says it did not apply', async () => {
    const faults = parseFaultPlan(
      [{ at: '400ms', store: 'elasticsearch', action: 'cut', for: '800ms' }],
      'cut.yaml',
    );
    const profiles = builtInProfiles();
    const results = await runBenchmark(
      {
        scenarios: [builtInScenarios({ size: 'quick' }).get('experiment-search')!],
        profiles: [profiles.get('polyglot')!, profiles.get('single-postgres')!],
        stores: 'external',
        load: { type: 'closed', concurrency: 2 },
        seed: 7,
        durationMs: 2_000,
        warmupMs: 0,
        quick: true,
        repeat: 1,
        shard: undefined,
        driver: 'dal',
        config: { test: true },
        faults,
      },
      { provision: (kinds) => Promise.resolve(lentStores(kinds)) },
    );
    const [polyglot, single] = results.scenarios;
    expect(polyglot).toMatchObject({ profile: 'polyglot', status: 'completed' });
    expect(polyglot!.faults).toHaveLength(1);
    const fault = polyglot!.faults![0]!;
    expect(fault).toMatchObject({ store: 'elasticsearch', action: 'cut' });
    expect(fault.error).toBeUndefined();
    // Not before its time (a timer may fire within a millisecond of it, and the figure is rounded).
    expect(fault.startedMs).toBeGreaterThanOrEqual(398);
    expect(fault.endedMs! - fault.startedMs!).toBeGreaterThanOrEqual(780);
    // Every operation of experiment-search is a search on Elasticsearch; with two workers over five operations,
    // the cut's errors can all land on operations other than `search` (seen once in a full run).
    const searchErrors = polyglot!.operations.flatMap((o) => Object.values(o.errors));
    expect(searchErrors.reduce((a, b) => a + b, 0)).toBeGreaterThan(0);
    expect(polyglot!.warnings.join('\n')).toMatch(/fault #0 at 400 ms: cut elasticsearch.*in place/);

    expect(single).toMatchObject({ profile: 'single-postgres', status: 'completed', faults: [] });
    expect(single!.warnings.join('\n')).toContain('not applied: this profile does not use elasticsearch');
    const singleErrors = single!.operations.flatMap((o) => Object.values(o.errors));
    expect(singleErrors.reduce((a, b) => a + b, 0)).toBe(0);
  }, 120_000);

  it('refuses kill outside local mode and a step on a store the run did not bring up, naming the plan and step', () => {
    const stores = lentStores(['postgres', 'redis']);
    const kill = parseFaultPlan([{ at: '1s', store: 'redis', action: 'kill' }], 'kill.yaml');
    expect(() => runFaultTargets(kill, stores)).toThrow(
      /^kill\.yaml: steps\[0\]: kill redis needs a store process this run started; stores are (external|not started by this run) here/,
    );
    const cut = parseFaultPlan([{ at: '1s', store: 's3', action: 'cut', for: '1s' }], 'cut.yaml');
    expect(() => runFaultTargets(cut, stores)).toThrow(
      /^cut\.yaml: steps\[0\] acts on s3, which this run did not bring up/,
    );
    const redisCut = parseFaultPlan([{ at: '1s', store: 'redis', action: 'cut', for: '1s' }], 'ok.yaml');
    expect(runFaultTargets(redisCut, stores)).toEqual({ mode: 'external', processes: undefined });
  });

  it('the README’s example plan parses', async () => {
    const plan = await loadFaultPlan('examples/faults/es-cut.yaml');
    expect(plan.steps.map((s) => s.action)).toEqual(['cut', 'delay']);
  });
});

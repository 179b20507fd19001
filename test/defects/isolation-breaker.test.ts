// isolationSuccessRate can fail, and an outage that was never injected cannot pass. failure-isolation
// runs through the real orchestration (Elasticsearch behind the run's TCP fault proxy, cut for the
// measure phase) on three profiles:
// - polyglot: every operation that does not need Elasticsearch succeeds, the ADR's fan-out request
//   answers without its search part, searches fail and are counted → every gate passes, and the
//   scenario's errorRate leaves the failing searches out;
// - no circuit breaker + the clients' default timeouts: the fan-out request waits out the dead store
//   past its deadline → `isolationSuccessRate >= 0.999` fails;
// - Elasticsearch reached past the proxy (the fault never lands) → `failedStoreSuccesses == 0` fails.
import { describe, expect, it } from 'vitest';
import { polyglotProfile } from '../../reference-dal/profiles/builtin-profiles.ts';
import { failureIsolation, failureIsolationApplies } from '../../scenarios/failure-isolation.ts';
import { requireStore } from '../support/stores.ts';
import { noBreakerProfile, unfaultedProfile } from './support/isolation-defects.ts';
import { runOnProfiles, verdictOf } from './support/run-defect.ts';

const SUCCESS = 'isolationSuccessRate(failure-isolation, PROFILE) >= 0.999';
const INJECTED = 'failedStoreSuccesses(failure-isolation, PROFILE) == 0';
const FAILED = 'failedStoreErrors(failure-isolation, PROFILE) > 0';
const ERRORS = 'errorRate(failure-isolation, PROFILE) < 0.001';

describe('failure isolation defects', () => {
  it('fails the isolation budget without a circuit breaker, the injection gate when the fault never lands; polyglot passes', async () => {
    const unfaulted = unfaultedProfile(requireStore('elasticsearch').url);
    const results = await runOnProfiles({
      scenario: {
        scenario: failureIsolation({ size: 'quick' }),
        faults: ['elasticsearch'],
        applies: failureIsolationApplies,
      },
      profiles: [polyglotProfile, noBreakerProfile, unfaulted],
      durationMs: 1_500,
      // Outage from the end of the load on: the warmup sees the breaker open, as a real run's would.
      warmupMs: 500,
    });
    const byProfile = new Map(results.scenarios.map((s) => [s.profile, s]));
    for (const result of byProfile.values()) expect(result.status, result.reason).toBe('completed');
    const figures = (name: string) => {
      const m = byProfile.get(name)!.metrics;
      const overview = byProfile.get(name)!.operations.find((o) => o.name === 'overview');
      return `${name}: isolationSuccessRate ${m.isolationSuccessRate?.toFixed(4)}, isolatedOps ${m.isolatedOps}, failedStoreErrors ${m.failedStoreErrors}, failedStoreSuccesses ${m.failedStoreSuccesses}, errorRate ${m.errorRate?.toFixed(4)}, overview ok ${overview?.count} p99 ${((overview?.latency.p99Us ?? 0) / 1000).toFixed(0)} ms errors ${JSON.stringify(overview?.errors)}`;
    };
    console.log(`isolation-breaker:\n  ${[...byProfile.keys()].map(figures).join('\n  ')}`);

    const polyglot = byProfile.get('polyglot')!;
    expect(polyglot.operations.find((o) => o.name === 'overview')!.count).toBeGreaterThan(0);
    expect(polyglot.counters.degradedResponses).toBeGreaterThan(0);
    for (const budget of [SUCCESS, INJECTED, FAILED, ERRORS])
      expect(verdictOf(results, budget, 'polyglot').status, budget).toBe('pass');

    expect(verdictOf(results, SUCCESS, noBreakerProfile.name).status).toBe('fail');
    expect(byProfile.get(noBreakerProfile.name)!.counters.overviewsAbandoned).toBeGreaterThan(0);

    expect(verdictOf(results, INJECTED, unfaulted.name).status).toBe('fail');
  });
});

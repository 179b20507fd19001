// consistencyLag and visibilityTimeouts can fail. cross-store-consistency probes how long an
// acknowledged write takes to show in search; on a relay that publishes every batch 3 s late, the
// lag budget must fail (a probe that outlives its limit enters the distribution censored at the
// limit and counts a visibility timeout, so slow writes cannot fall out of the percentile), while
// polyglot passes the visibility-timeouts budget. (Elasticsearch's 1 s refresh puts polyglot's own
// p99 near 1 s, so its lag budget is not asserted here.)
import { describe, expect, it } from 'vitest';
import { polyglotProfile } from '../../reference-dal/profiles/builtin-profiles.ts';
import { crossStoreConsistency } from '../../scenarios/cross-store-consistency.ts';
import { slowRelayProfile } from './support/cache-consistency-defects.ts';
import { runOnProfiles, verdictOf } from './support/run-defect.ts';

const LAG = 'p99(cross-store-consistency:consistencyLag, PROFILE) <= 1s';
const TIMEOUTS = 'visibilityTimeouts(cross-store-consistency, PROFILE) == 0';

describe('consistency lag defects', () => {
  it('fails the lag budget on a relay that publishes 3 s late; polyglot has no visibility timeout', async () => {
    const results = await runOnProfiles({
      scenario: { scenario: crossStoreConsistency({ size: 'quick' }) },
      profiles: [polyglotProfile, slowRelayProfile],
      // Open loop: a probe waiting for search never holds back the writers.
      load: { type: 'open', ratePerSec: 80 },
      durationMs: 2_000,
      warmupMs: 300,
    });
    const byProfile = new Map(results.scenarios.map((s) => [s.profile, s]));
    const figures = [...byProfile.values()].map((s) => {
      const lag = s.distributions.consistencyLag;
      return `${s.profile}: consistencyLag p99 ${((lag?.p99Us ?? NaN) / 1000).toFixed(0)} ms over ${lag?.count} probes (${lag?.censoredCount ?? 0} censored), visibilityTimeouts ${s.counters.visibilityTimeouts}`;
    });
    console.log(`consistency-lag:\n  ${figures.join('\n  ')}`);

    for (const result of byProfile.values()) {
      expect(result.status, result.reason).toBe('completed');
      expect(result.distributions.consistencyLag?.count, result.profile).toBeGreaterThan(0);
      // Reported even when zero: a budget on it must find it.
      expect(result.counters.visibilityTimeouts, result.profile).toBeDefined();
    }
    expect(verdictOf(results, TIMEOUTS, 'polyglot').status).toBe('pass');
    expect(verdictOf(results, LAG, slowRelayProfile.name).status).toBe('fail');
    const slow = byProfile.get(slowRelayProfile.name)!;
    expect(slow.distributions.consistencyLag!.censoredCount ?? 0).toBe(slow.counters.visibilityTimeouts);
  }, 300_000);
});

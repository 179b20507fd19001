// lostWrites can fail. cross-store-consistency drains the outbox after the measure phase and
// compares every experiment's indexed version with its row. A relay that acknowledges updates
// (deleting them from the outbox) without publishing them must make `lostWrites == 0` fail; its
// probes never see their writes, so they time out, enter consistencyLag censored at the limit and
// fail the visibility budget too. Polyglot loses nothing.
import { describe, expect, it } from 'vitest';
import { polyglotProfile } from '../../reference-dal/profiles/builtin-profiles.ts';
import { crossStoreConsistency, PROBE_LIMIT_MS } from '../../scenarios/cross-store-consistency.ts';
import { droppingRelayProfile } from './support/cache-consistency-defects.ts';
import { runOnProfiles, verdictOf } from './support/run-defect.ts';

const LOST = 'lostWrites(cross-store-consistency, PROFILE) == 0';
const TIMEOUTS = 'visibilityTimeouts(cross-store-consistency, PROFILE) == 0';

describe('lost writes defects', () => {
  it('counts lost writes when the relay drops updates; polyglot loses none', async () => {
    const results = await runOnProfiles({
      scenario: { scenario: crossStoreConsistency({ size: 'quick' }) },
      profiles: [polyglotProfile, droppingRelayProfile],
      // Open loop: a probe waiting for search never holds back the writers.
      load: { type: 'open', ratePerSec: 80 },
      durationMs: 1_500,
      warmupMs: 300,
    });
    const byProfile = new Map(results.scenarios.map((s) => [s.profile, s]));
    const figures = [...byProfile.values()].map((s) => {
      const c = s.counters;
      return `${s.profile}: lostWrites ${c.lostWrites}, outboxDepth ${c.outboxDepth}, visibilityTimeouts ${c.visibilityTimeouts}`;
    });
    console.log(`consistency-lost-writes:\n  ${figures.join('\n  ')}`);

    for (const result of byProfile.values()) expect(result.status, result.reason).toBe('completed');
    expect(verdictOf(results, LOST, 'polyglot').status).toBe('pass');
    expect(verdictOf(results, LOST, droppingRelayProfile.name).status).toBe('fail');

    const dropping = byProfile.get(droppingRelayProfile.name)!;
    expect(verdictOf(results, TIMEOUTS, droppingRelayProfile.name).status).toBe('fail');
    const lag = dropping.distributions.consistencyLag!;
    expect(lag.censoredCount).toBe(dropping.counters.visibilityTimeouts);
    expect(lag.maxUs).toBeGreaterThanOrEqual(PROBE_LIMIT_MS * 1000 * 0.99);
  }, 300_000);
});

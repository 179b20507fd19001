// staleReads can fail. cross-store-consistency runs through the real orchestration on real stores
// with a second client (a worker thread with its own PostgreSQL pool and Redis connection) reading
// the experiments the writers update, every read judged against the newest version acknowledged
// before it began. Polyglot must give none; each defect profile must give some:
// - cache-aside without invalidation: the old copy stays cached after the write;
// - invalidation before COMMIT: a reader re-caches the old row between the two;
// - no stale-fill guard: a load that began before a commit fills after its invalidation.
import { describe, expect, it } from 'vitest';
import { polyglotProfile } from '../../reference-dal/profiles/builtin-profiles.ts';
import { crossStoreConsistency } from '../../scenarios/cross-store-consistency.ts';
import {
  invalidateBeforeCommitProfile,
  noInvalidationProfile,
  noStaleFillGuardProfile,
} from './support/cache-consistency-defects.ts';
import { runOnProfiles, verdictOf } from './support/run-defect.ts';

const STALE = 'staleReads(cross-store-consistency, PROFILE) == 0';
const DEFECTS = [noInvalidationProfile, invalidateBeforeCommitProfile, noStaleFillGuardProfile];

describe('stale reads defects', () => {
  it('counts stale reads of a second client for each coherence defect and none on polyglot', async () => {
    const results = await runOnProfiles({
      scenario: { scenario: crossStoreConsistency({ size: 'quick' }) },
      profiles: [polyglotProfile, ...DEFECTS],
      // Open loop: a probe waiting for search never holds back the writers.
      load: { type: 'open', ratePerSec: 80 },
      durationMs: 2_500,
      warmupMs: 300,
    });
    const byProfile = new Map(results.scenarios.map((s) => [s.profile, s]));
    const figures = [...byProfile.values()].map((s) => {
      const c = s.counters;
      const writes = s.operations.find((o) => o.name === 'write')?.count;
      return `${s.profile}: staleReads ${c.staleReads} of ${c.coherenceReads} reads (second client ${c.secondClientReads}), writes ${writes}`;
    });
    console.log(`consistency-stale-reads (seed ${results.run.seed}):\n  ${figures.join('\n  ')}`);

    for (const result of byProfile.values()) {
      expect(result.status, result.reason).toBe('completed');
      // Zero stale reads out of zero reads would prove nothing.
      expect(result.counters.secondClientReads, result.profile).toBeGreaterThan(0);
      expect(result.counters.secondClientReadErrors, result.profile).toBe(0);
    }
    expect(verdictOf(results, STALE, 'polyglot').status).toBe('pass');
    for (const defect of DEFECTS)
      expect(verdictOf(results, STALE, defect.name).status, defect.name).toBe('fail');
  }, 300_000);
});

// crossStoreOverheadP50Ms can fail. polyglot-overall runs through the real orchestration on real
// stores, measuring the ADR's cross-store request as a parallel fan-out and as a sequence, and each
// part alone, in the same run. The stores here share two busy cores with everything else, so the
// parts of one request are bound by CPU and gain little from running in parallel; the profiles below
// therefore also put the stores RTT_MS away (support/overhead-defects.ts), as in a deployment:
// - polyglot, stores RTT_MS away: the fan-out costs about its slowest part;
// - the same DAL serialising its stores (one shared lock): the fan-out costs its parts' sum, at least
//   two round trips more → the budget fails;
// - the same DAL pinging the store before every call, and the plain polyglot profile on the local
//   stores: figures printed (a per-call ping is paid by the part alone too, so it is no coordination
//   overhead; see the note on the net cost).
import { describe, expect, it } from 'vitest';
import type { ScenarioResult } from '../../harness/results/schema.ts';
import { polyglotProfile } from '../../reference-dal/profiles/builtin-profiles.ts';
import { polyglotOverall } from '../../scenarios/polyglot-overall.ts';
import { remoteProfile } from './support/overhead-defects.ts';
import { runOnProfiles, verdictOf } from './support/run-defect.ts';

const BUDGET = 'crossStoreOverheadP50Ms(polyglot-overall, PROFILE) <= 10';
const RTT_MS = 40;

function figures(r: ScenarioResult, verdict: string): string {
  const p50 = (op: string) =>
    ((r.operations.find((o) => o.name === op)?.latency.p50Us ?? NaN) / 1000).toFixed(1);
  const m = r.metrics;
  return `${r.profile}: crossStoreOverheadP50Ms ${m.crossStoreOverheadP50Ms?.toFixed(1)} (${verdict}), sequentialCostP50Ms ${m.sequentialCostP50Ms?.toFixed(1)}; p50 ms fanout ${p50('fanout')} sequence ${p50('sequence')} timeseries ${p50('timeseries')} search ${p50('search')} object ${p50('object')}; n ${r.operations.map((o) => `${o.name} ${o.count}`).join(', ')}`;
}

describe('cross-store overhead defects', () => {
  it('fails the overhead budget for a DAL that runs its stores one at a time; a per-call ping shows in the sequential cost', async () => {
    const remote = remoteProfile(RTT_MS, 'none');
    const serial = remoteProfile(RTT_MS, 'one-at-a-time');
    const pinging = remoteProfile(RTT_MS, 'ping-first');
    const profiles = [polyglotProfile, remote, serial, pinging];
    const results = await runOnProfiles({
      scenario: { scenario: polyglotOverall({ size: 'quick' }) },
      profiles,
      // One request at a time: the lock then serialises the parts of one request, not two requests.
      load: { type: 'closed', concurrency: 1 },
      durationMs: 6_000,
      warmupMs: 300,
    });
    const byProfile = new Map(results.scenarios.map((s) => [s.profile, s]));
    for (const r of byProfile.values()) expect(r.status, r.reason).toBe('completed');
    const verdict = (name: string) => verdictOf(results, BUDGET, name).status;
    console.log(
      `overhead-fanout (budget ${BUDGET}):\n  ${profiles.map((p) => figures(byProfile.get(p.name)!, verdict(p.name))).join('\n  ')}`,
    );

    expect(verdict(serial.name)).toBe('fail');
    const overhead = (name: string) => byProfile.get(name)!.metrics.crossStoreOverheadP50Ms!;
    expect(overhead(serial.name) - overhead(remote.name)).toBeGreaterThan(RTT_MS);
    // The ping is paid once by the part alone and three times, in turn, by the sequence: it shows in
    // the sequential cost (two round trips more), not in the coordination overhead.
    const sequential = (name: string) => byProfile.get(name)!.metrics.sequentialCostP50Ms!;
    expect(sequential(pinging.name) - sequential(remote.name)).toBeGreaterThan(RTT_MS);
  });
});

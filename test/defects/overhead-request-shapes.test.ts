// The cross-store requests have the ADR's shape: its data flow fans out to the time-series store, the
// search engine and the object store in parallel. With one request at a time, store reads in flight
// at once can only come from inside one request: polyglot-overall's `fanout` has its three parts in
// flight together, and realtime-detection's request fetches its metrics window and model artifact
// together (then writes its result).
import { describe, expect, it } from 'vitest';
import { withoutOperations } from '../../harness/run/scenario-variant.ts';
import { polyglotOverall } from '../../scenarios/polyglot-overall.ts';
import { realtimeDetection } from '../../scenarios/realtime-detection.ts';
import { overlapProbeProfile } from './support/overhead-defects.ts';
import { runOnProfiles } from './support/run-defect.ts';

async function mostInFlight(scenario: Parameters<typeof runOnProfiles>[0]['scenario']): Promise<number> {
  const probe = { inFlight: 0, maxInFlight: 0 };
  const results = await runOnProfiles({
    scenario,
    profiles: [overlapProbeProfile(probe)],
    load: { type: 'closed', concurrency: 1 },
    durationMs: 300,
  });
  const [result] = results.scenarios;
  expect(result!.status, result!.reason).toBe('completed');
  expect(result!.operations.every((o) => o.count > 0)).toBe(true);
  return probe.maxInFlight;
}

describe('cross-store request shapes', () => {
  it("polyglot-overall's fanout has its time-series, search and object parts in flight together", async () => {
    const fanoutOnly = withoutOperations(polyglotOverall({ size: 'quick' }), [
      'sequence',
      'timeseries',
      'search',
      'object',
    ]);
    expect(await mostInFlight({ scenario: fanoutOnly })).toBe(3);
  });

  it('realtime-detection fetches the metrics window and the model artifact in parallel', async () => {
    expect(await mostInFlight({ scenario: realtimeDetection({ size: 'quick' }) })).toBe(2);
  });
});

import { describe, expect, it } from 'vitest';
import { decodeHistogram } from '../metrics/histogram.ts';
import { OperationPlanner } from './planner.ts';
import { runScenario } from './runner.ts';
import { defineScenario } from './scenario.ts';
import {
  RecordingSystem,
  StallingSystem,
  noopScenario,
  recordingScenario,
  stallingScenario,
} from './test-systems.ts';

describe('runScenario, closed loop', () => {
  it('the same seed gives the same operation sequence per worker, whatever the timing', async () => {
    const scenario = recordingScenario();
    const run = async (seed: number) => {
      const sut = new RecordingSystem();
      const result = await runScenario({
        scenario,
        profileName: 'test',
        sut,
        load: { type: 'closed', concurrency: 3 },
        seed,
        warmupMs: 0,
        maxOps: 1500,
      });
      expect(result.status).toBe('completed');
      return sut.calls;
    };
    const a = await run(7);
    const b = await run(7);
    const c = await run(8);
    for (const stream of [0, 1, 2]) {
      const seqA = a.get(stream)!;
      const seqB = b.get(stream)!;
      const common = Math.min(seqA.length, seqB.length);
      expect(common).toBeGreaterThan(10);
      expect(seqB.slice(0, common)).toEqual(seqA.slice(0, common));
      // ...and it is the planner's sequence for that stream.
      const planner = new OperationPlanner(scenario, 7, stream, 3);
      const names = scenario.operations.map((o) => o.name);
      const planned = Array.from({ length: common }, () => {
        const p = planner.next();
        return `${names[p.op]}:${p.key}:${p.valueSize}`;
      });
      expect(seqA.slice(0, common)).toEqual(planned);
    }
    expect(c.get(0)!.slice(0, 10)).not.toEqual(a.get(0)!.slice(0, 10));
  });

  it('inserted keys never collide across workers', async () => {
    const sut = new RecordingSystem();
    await runScenario({
      scenario: recordingScenario(),
      profileName: 'test',
      sut,
      load: { type: 'closed', concurrency: 4 },
      seed: 1,
      warmupMs: 0,
      maxOps: 2000,
    });
    const inserted = [...sut.calls.values()]
      .flat()
      .filter((c) => c.startsWith('insert:'))
      .map((c) => c.split(':')[1]);
    expect(inserted.length).toBeGreaterThan(50);
    expect(new Set(inserted).size).toBe(inserted.length);
  });

  it('records counts, latency, errors by class and a per-second series; warmup is not recorded', async () => {
    class FlakyError extends Error {
      override name = 'FlakyError';
    }
    const scenario = defineScenario<undefined>({
      name: 'flaky',
      description: 'every 5th call fails',
      data: { records: 10 },
      operations: [
        {
          name: 'call',
          weight: 1,
          run: async (ctx) => {
            ctx.recorder.count('calls');
            ctx.recorder.observe('payload', ctx.valueSize + 5);
            if (ctx.rng.int(5) === 0) throw new FlakyError('boom');
            await new Promise((r) => setTimeout(r, 1));
          },
        },
      ],
      derive: ({ counters }) => ({ callsSeen: counters.calls ?? 0 }),
    });
    const result = await runScenario({
      scenario,
      profileName: 'p',
      sut: undefined,
      load: { type: 'closed', concurrency: 2 },
      seed: 3,
      warmupMs: 300,
      durationMs: 1_200,
    });
    expect(result.status).toBe('completed');
    const op = result.operations[0]!;
    const errors = op.errors.FlakyError ?? 0;
    expect(errors).toBeGreaterThan(0);
    // Only measured operations reach the recorder: calls = successes + errors of the measure phase.
    expect(result.counters.calls).toBe(op.count + errors);
    expect(result.metrics.callsSeen).toBe(result.counters.calls);
    expect(result.distributions.payload?.count).toBe(op.count + errors);
    expect(op.latency.p50Us).toBeGreaterThanOrEqual(1000);
    expect(decodeHistogram(op.latency.encoded).totalCount).toBe(op.count);
    expect(op.series.map((p) => p.t)).toEqual([0, 1]);
    expect(op.series.reduce((a, p) => a + p.ops, 0)).toBe(op.count);
    expect(result.durationMs).toBeGreaterThan(1_100);
    expect(op.throughput).toBeCloseTo(op.count / (result.durationMs / 1000), 5);
  });

  it('stops on an AbortSignal and returns partial results marked incomplete', async () => {
    const controller = new AbortController();
    setTimeout(() => controller.abort(), 300);
    const started = performance.now();
    const result = await runScenario({
      scenario: noopScenario(),
      profileName: 'p',
      sut: undefined,
      load: { type: 'closed', concurrency: 1 },
      seed: 1,
      warmupMs: 0,
      durationMs: 60_000,
      signal: controller.signal,
    });
    expect(performance.now() - started).toBeLessThan(5_000);
    expect(result.status).toBe('incomplete');
    expect(result.reason).toMatch(/interrupted/);
    expect(result.operations[0]!.count).toBeGreaterThan(0);
  });

  it('skips a scenario whose store is unavailable, with the reason', async () => {
    const scenario = defineScenario<undefined>({
      name: 'needs-es',
      description: 'x',
      stores: ['elasticsearch'],
      data: { records: 1 },
      operations: [{ name: 'x', weight: 1, run: () => Promise.resolve() }],
    });
    const result = await runScenario({
      scenario,
      profileName: 'p',
      sut: undefined,
      load: { type: 'closed', concurrency: 1 },
      seed: 1,
      availableStores: ['postgres'],
      unavailableReasons: { elasticsearch: 'no JDK 21' },
    });
    expect(result.status).toBe('skipped');
    expect(result.reason).toBe('elasticsearch unavailable: no JDK 21');
    expect(result.operations).toEqual([]);
  });

  it('marks a failed load phase as errored with the cause', async () => {
    const scenario = defineScenario<undefined>({
      name: 'bad-load',
      description: 'x',
      data: { records: 1 },
      operations: [{ name: 'x', weight: 1, run: () => Promise.resolve() }],
      load: () => Promise.reject(new Error('disk full', { cause: new Error('ENOSPC') })),
    });
    const result = await runScenario({
      scenario,
      profileName: 'p',
      sut: undefined,
      load: { type: 'closed', concurrency: 1 },
      seed: 1,
    });
    expect(result.status).toBe('errored');
    expect(result.reason).toContain('disk full');
    expect(result.reason).toContain('ENOSPC');
  });

  it('rejects bad run options naming the field', async () => {
    await expect(
      runScenario({
        scenario: noopScenario(),
        profileName: 'p',
        sut: undefined,
        load: { type: 'closed', concurrency: 0 },
        seed: 1,
      }),
    ).rejects.toThrow(/load\.concurrency/);
  });
});

describe('runScenario, open loop', () => {
  it('measures from the intended start: a 250 ms stall shows in the corrected p99, not in the uncorrected one', async () => {
    const result = await runScenario({
      scenario: stallingScenario(),
      profileName: 'p',
      // The 100th request stalls the single connection; the harness keeps one request in flight.
      sut: new StallingSystem(100, 250),
      load: { type: 'open', ratePerSec: 500, arrival: 'constant', maxInFlight: 1 },
      seed: 1,
      warmupMs: 0,
      durationMs: 1_000,
    });
    expect(result.status).toBe('completed');
    const op = result.operations[0]!;
    expect(op.uncorrectedLatency).toBeDefined();
    expect(op.count).toBeGreaterThan(400);
    expect(op.latency.p99Us).toBeGreaterThanOrEqual(200_000);
    expect(op.uncorrectedLatency!.p99Us).toBeLessThan(200_000);
    // The stalled request itself is in both.
    expect(op.uncorrectedLatency!.maxUs).toBeGreaterThanOrEqual(240_000);
    expect(result.loadModel).toEqual({ type: 'open', ratePerSec: 500, arrival: 'constant' });
  });

  it('offers the configured rate and replays the same sequence for the same seed', async () => {
    const scenario = recordingScenario();
    const run = async () => {
      const sut = new RecordingSystem();
      const result = await runScenario({
        scenario,
        profileName: 'p',
        sut,
        load: { type: 'open', ratePerSec: 400, arrival: 'poisson' },
        seed: 11,
        warmupMs: 0,
        durationMs: 500,
      });
      return { result, calls: sut.calls.get(0)! };
    };
    const a = await run();
    const b = await run();
    // Poisson with mean 200 arrivals in 0.5 s: σ ≈ 14; ±30% is generous.
    expect(a.result.counters.scheduledOps).toBeGreaterThan(140);
    expect(a.result.counters.scheduledOps).toBeLessThan(260);
    // Same seed: the same arrivals, so the same number and sequence of operations.
    expect(b.calls).toEqual(a.calls);
    expect(a.result.metrics.harnessLateStartShare).toBeGreaterThanOrEqual(0);
  });
});

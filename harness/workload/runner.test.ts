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
    // Bounded per worker, not by time or a shared budget: how many operations a worker completes
    // must not depend on how busy the machine is.
    const scenario = recordingScenario();
    const opsPerWorker = 300;
    const run = async (seed: number) => {
      const sut = new RecordingSystem();
      const result = await runScenario({
        scenario,
        profileName: 'test',
        sut,
        load: { type: 'closed', concurrency: 3 },
        seed,
        warmupMs: 0,
        maxOpsPerWorker: opsPerWorker,
      });
      expect(result.status).toBe('completed');
      expect(result.operations.reduce((n, o) => n + o.count, 0)).toBe(3 * opsPerWorker);
      return sut.calls;
    };
    const a = await run(7);
    const b = await run(7);
    const c = await run(8);
    const names = scenario.operations.map((o) => o.name);
    for (const stream of [0, 1, 2]) {
      expect(a.get(stream)).toHaveLength(opsPerWorker);
      expect(b.get(stream)).toEqual(a.get(stream));
      // ...and it is the planner's sequence for that stream.
      const planner = new OperationPlanner(scenario, 7, stream, 3);
      const planned = Array.from({ length: opsPerWorker }, () => {
        const p = planner.next();
        return `${names[p.op]}:${p.key}:${p.valueSize}`;
      });
      expect(a.get(stream)).toEqual(planned);
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
      maxOpsPerWorker: 500,
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

/** Counts the calls it serves, as a store's own counters would (e.g. Redis keyspace_misses). */
class CountingSystem {
  calls = 0;
}

function countingScenario() {
  return defineScenario<CountingSystem>({
    name: 'counting',
    description: 'the system counts every call; the snapshot reads the count',
    data: { records: 10 },
    operations: [
      {
        name: 'call',
        weight: 1,
        run: (ctx) => {
          ctx.sut.calls++;
          return Promise.resolve();
        },
      },
    ],
    snapshot: (sut) => Promise.resolve({ systemCalls: sut.calls }),
  });
}

describe('runScenario, phases', () => {
  for (const load of [
    { type: 'closed', concurrency: 2 },
    { type: 'open', ratePerSec: 2_000, arrival: 'constant' },
  ] as const) {
    it(`${load.type} loop: the snapshot "before" is taken when the measure phase starts, so warmup calls are excluded`, async () => {
      const sut = new CountingSystem();
      const result = await runScenario({
        scenario: countingScenario(),
        profileName: 'p',
        sut,
        load,
        seed: 5,
        warmupMs: 200,
        durationMs: 60_000,
        maxOps: 300,
      });
      expect(result.status).toBe('completed');
      const measured = result.operations[0]!.count;
      expect(measured).toBe(300);
      // Warmup did call the system...
      expect(sut.calls).toBeGreaterThan(measured);
      // ...but the measured delta holds the measure phase's calls only.
      expect(result.counters.systemCalls).toBe(measured);
    });
  }

  it('refuses a per-worker operation bound on an open loop, naming the field', async () => {
    await expect(
      runScenario({
        scenario: noopScenario(),
        profileName: 'p',
        sut: undefined,
        load: { type: 'open', ratePerSec: 100 },
        seed: 1,
        maxOpsPerWorker: 10,
      }),
    ).rejects.toThrow(/maxOpsPerWorker/);
  });
});

describe('runScenario, the open loop’s own error', () => {
  it('records the scheduling lag of every measured arrival in an open-loop result, none in a closed one', async () => {
    const open = await runScenario({
      scenario: noopScenario(),
      profileName: 'p',
      sut: undefined,
      load: { type: 'open', ratePerSec: 2_000, arrival: 'poisson' },
      seed: 9,
      warmupMs: 50,
      durationMs: 60_000,
      maxOps: 400,
    });
    expect(open.status).toBe('completed');
    expect(open.schedulingLag).toBeDefined();
    expect(open.schedulingLag!.count).toBe(400);
    expect(open.schedulingLag!.count).toBe(open.counters.scheduledOps);
    expect(decodeHistogram(open.schedulingLag!.encoded).totalCount).toBe(400);
    // Warned exactly when the instrument's own p99 is a large share of the operation's corrected p99.
    const op = open.operations[0]!;
    const warned = open.warnings.some((w) => /scheduling lag p99/.test(w));
    expect(warned).toBe(open.schedulingLag!.p99Us > 0.25 * op.latency.p99Us);

    const closed = await runScenario({
      scenario: noopScenario(),
      profileName: 'p',
      sut: undefined,
      load: { type: 'closed', concurrency: 1 },
      seed: 9,
      warmupMs: 0,
      maxOps: 100,
    });
    expect(closed.schedulingLag).toBeUndefined();
  });

  it('replays the same arrivals with a warmup before the measure phase', async () => {
    const scenario = recordingScenario();
    const run = async () => {
      const sut = new RecordingSystem();
      const result = await runScenario({
        scenario,
        profileName: 'p',
        sut,
        load: { type: 'open', ratePerSec: 1_000, arrival: 'poisson' },
        seed: 4,
        warmupMs: 100,
        durationMs: 60_000,
        maxOps: 200,
      });
      expect(result.operations.reduce((n, o) => n + o.count, 0)).toBe(200);
      return sut.calls.get(0)!;
    };
    const a = await run();
    expect(await run()).toEqual(a);
  });
});

// The soak's instrument: slopes are exact on known lines, need enough samples, and a real leak in a
// scenario shows as a heap slope that a budget fails while the same run without the leak passes.
import { createServer, connect, type Socket } from 'node:net';
import { describe, expect, it } from 'vitest';
import { resolveBudgetSet } from '../budgets/resolve.ts';
import { evaluateBudgets } from '../budgets/evaluate.ts';
import { loadBudgetSet } from '../budgets/load.ts';
import { syntheticResults } from '../report/fixtures/synthetic-results.ts';
import { runScenario } from '../workload/runner.ts';
import { defineScenario } from '../workload/scenario.ts';
import { MIN_SLOPE_SAMPLES, resourceSlopes, sampleResources, slopePerMinute } from './resource-sampler.ts';

const line = (n: number, y: (t: number) => number) => Array.from({ length: n }, (_, t) => ({ t, y: y(t) }));

describe('slopePerMinute', () => {
  it('is the least-squares slope per minute of a known line, and of noise around it', () => {
    expect(
      slopePerMinute(
        line(40, (t) => 2 * t + 5),
        (p) => p.y,
      ),
    ).toBeCloseTo(120, 9);
    expect(
      slopePerMinute(
        line(40, () => 7),
        (p) => p.y,
      ),
    ).toBe(0);
    const zigzag = line(60, (t) => 0.5 * t + (t % 2 === 0 ? 3 : -3));
    expect(slopePerMinute(zigzag, (p) => p.y)).toBeGreaterThan(29);
    expect(slopePerMinute(zigzag, (p) => p.y)).toBeLessThan(31);
  });

  it('gives nothing below the minimum samples, and skips samples without a value', () => {
    expect(
      slopePerMinute(
        line(MIN_SLOPE_SAMPLES - 1, (t) => t),
        (p) => p.y,
      ),
    ).toBeUndefined();
    expect(
      slopePerMinute(
        line(MIN_SLOPE_SAMPLES, (t) => t),
        (p) => p.y,
      ),
    ).toBeCloseTo(60, 9);
    const gaps = line(MIN_SLOPE_SAMPLES + 5, (t) => t);
    expect(slopePerMinute(gaps, (p) => (p.t % 2 === 0 ? undefined : p.y))).toBeUndefined();
    expect(slopePerMinute(gaps, (p) => (p.t < 3 ? undefined : p.y))).toBeCloseTo(60, 9);
  });

  it('resourceSlopes names each metric, and p99 takes the steepest operation', () => {
    const points = line(32, (t) => t).map(({ t }) => ({ t, heapUsedMb: 10, rssMb: 50 + t, sockets: 4 }));
    const series = (slopePerSec: number) => ({
      series: line(32, (t) => 100 + slopePerSec * t).map(({ t, y }) => ({ t, ops: 5, p99Us: y })),
    });
    expect(resourceSlopes(points, [series(1), series(3)])).toEqual({
      rssSlopeMbPerMin: expect.closeTo(60, 9) as number,
      heapSlopeMbPerMin: 0,
      socketsSlopePerMin: 0,
      p99SlopeUsPerMin: expect.closeTo(180, 9) as number,
    });
    expect(resourceSlopes(points.slice(0, 3))).toEqual({});
  });
});

describe('sampleResources', () => {
  it('counts a connected socket of this process', async () => {
    const server = createServer((socket) => socket.on('error', () => undefined));
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const before = sampleResources(0);
    let client: Socket | undefined;
    try {
      const address = server.address();
      if (address === null || typeof address === 'string') throw new Error('no TCP address');
      client = connect(address.port, '127.0.0.1');
      await new Promise<void>((resolve, reject) => client!.once('connect', resolve).once('error', reject));
      // Both ends of the connection live in this process.
      expect(sampleResources(1).sockets).toBeGreaterThanOrEqual(before.sockets + 2);
      expect(before.rssMb).toBeGreaterThan(before.heapUsedMb);
    } finally {
      client?.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    }
  });
});

describe('a soak run', () => {
  const budgets = resolveBudgetSet(
    { name: 'soak', budgets: [{ expr: 'rssSlopeMbPerMin(*) < 600' }] },
    'soak.yaml',
  );

  async function soak(leakBytesPerOp: number) {
    const retained: Buffer[] = [];
    const scenario = defineScenario<undefined>({
      name: 'soak',
      description: 'a no-op, optionally leaking',
      data: { records: 1 },
      operations: [
        {
          name: 'op',
          weight: 1,
          run: async () => {
            // A leak of the harness's own process: what `--duration 30m` exists to catch.
            if (leakBytesPerOp > 0) retained.push(Buffer.alloc(leakBytesPerOp, 1));
            await new Promise((resolve) => setImmediate(resolve));
          },
        },
      ],
    });
    const result = await runScenario({
      scenario,
      profileName: 'p',
      sut: undefined,
      load: { type: 'open', ratePerSec: 400, arrival: 'constant' },
      seed: 1,
      warmupMs: 0,
      durationMs: 2_000,
      resourceIntervalMs: 50,
    });
    const results = syntheticResults({ seed: 1, scenarios: [], profiles: ['p'] });
    return { result, verdict: evaluateBudgets({ ...results, scenarios: [result] }, budgets)[0]! };
  }

  it('records resources each interval; a leaking scenario fails the slope budget, the same without the leak passes', async () => {
    // Buffers live outside the JS heap and are written, so RSS grows by their bytes: 64 KiB × 400/s
    // ≈ 1.5 GiB/min. A run of 2 s magnifies any wobble into a slope per minute, hence the wide limit.
    const leaking = await soak(64 * 1024);
    expect(leaking.result.status).toBe('completed');
    expect(leaking.result.resources!.length).toBeGreaterThanOrEqual(MIN_SLOPE_SAMPLES);
    expect(leaking.result.metrics['rssSlopeMbPerMin']).toBeGreaterThan(900);
    expect(leaking.verdict).toMatchObject({ status: 'fail' });
    const clean = await soak(0);
    console.log(
      `rssSlopeMbPerMin: leaking ${leaking.result.metrics['rssSlopeMbPerMin']?.toFixed(0)}, clean ${clean.result.metrics['rssSlopeMbPerMin']?.toFixed(0)}`,
    );
    expect(clean.result.metrics['rssSlopeMbPerMin']).toBeLessThan(
      leaking.result.metrics['rssSlopeMbPerMin']! / 2,
    );
    expect(clean.verdict).toMatchObject({ status: 'pass' });
  });

  it("the README's soak budget file parses and reads these metrics", async () => {
    const set = await loadBudgetSet('examples/soak/budgets.yaml');
    const names = JSON.stringify(set);
    for (const metric of ['rssSlopeMbPerMin', 'heapSlopeMbPerMin', 'socketsSlopePerMin'])
      expect(names).toContain(metric);
  });
});

import { setTimeout as sleep } from 'node:timers/promises';
import { describe, expect, it } from 'vitest';
import { runScenario } from './runner.ts';
import { defineScenario } from './scenario.ts';
import { hasSettled } from './warmup.ts';

describe('hasSettled', () => {
  it('needs the last N window p50s within the tolerance of their median', () => {
    expect(hasSettled([9, 5, 5.2, 4.9], 3, 0.1)).toBe(true);
    expect(hasSettled([5, 5.2], 3, 0.1)).toBe(false);
    expect(hasSettled([5, 5.6, 5], 3, 0.1)).toBe(false);
    expect(hasSettled([5, 5.4, 5], 3, 0.1)).toBe(true);
    expect(hasSettled([5, Number.NaN, 5], 3, 0.1)).toBe(false);
    expect(hasSettled([1, 1.4, 1], 3, 0.5)).toBe(true);
  });
});

/** A system that is slow for its first `slowCalls` calls (a cold cache, a JIT), then fast. */
class WarmingSystem {
  calls = 0;
  constructor(readonly slowCalls: number) {}
  async call(): Promise<void> {
    await sleep(this.calls++ < this.slowCalls ? 30 : 2);
  }
}

/** A system that keeps getting slower (a leak): its latency doubles every `doublingMs`. */
class SlowingSystem {
  readonly #born = performance.now();
  constructor(readonly doublingMs: number) {}
  async call(): Promise<void> {
    await sleep(Math.min(200, 2 * 2 ** ((performance.now() - this.#born) / this.doublingMs)));
  }
}

const scenarioOf = <S extends { call(): Promise<void> }>() =>
  defineScenario<S>({
    name: 'warming',
    description: 'latency that changes as it warms',
    data: { records: 10 },
    phases: { warmupMs: 0, measureMs: 60_000 },
    operations: [{ name: 'call', weight: 1, run: (ctx) => ctx.sut.call() }],
  });

describe('warmup until stable', () => {
  it('runs on past a slow start until the p50 settles, and records how long it took', async () => {
    const sut = new WarmingSystem(40);
    let callsAtMeasure = 0;
    const result = await runScenario({
      scenario: scenarioOf<WarmingSystem>(),
      profileName: 'test',
      sut,
      load: { type: 'closed', concurrency: 2 },
      seed: 1,
      warmupUntilStable: { capMs: 30_000, windowMs: 300, tolerance: 0.5, windows: 3 },
      maxOps: 20,
      onMeasureStart: () => void (callsAtMeasure = sut.calls),
    });
    expect(result.status).toBe('completed');
    // Every slow call was warmup; the three settled windows came after them.
    expect(callsAtMeasure).toBeGreaterThan(40);
    expect(result.counters['warmupSettled']).toBe(1);
    expect(result.counters['warmupMs']).toBeGreaterThanOrEqual(3 * 300);
    expect(result.warnings.filter((w) => w.includes('warmup'))).toEqual([]);
  }, 60_000);

  it('stops at the cap when the p50 never settles, and the result says so', async () => {
    const result = await runScenario({
      scenario: scenarioOf<SlowingSystem>(),
      profileName: 'test',
      sut: new SlowingSystem(250),
      load: { type: 'closed', concurrency: 2 },
      seed: 1,
      warmupUntilStable: { capMs: 1_500, windowMs: 250, tolerance: 0.2, windows: 3 },
      maxOps: 10,
    });
    expect(result.status).toBe('completed');
    expect(result.counters['warmupSettled']).toBe(0);
    expect(result.counters['warmupMs']).toBeGreaterThanOrEqual(1_500);
    expect(result.warnings.join('\n')).toMatch(
      /warmup hit its 1500 ms cap before the p50 settled within ±20 % over 3 windows \(last p50s [\d., ]+ ms\)/,
    );
  }, 60_000);
});

import { setTimeout as sleep } from 'node:timers/promises';
import { describe, expect, it } from 'vitest';
import { STREAM } from '../planner.ts';
import { Rng } from '../random.ts';
import { defineScenario } from '../scenario.ts';
import { noopScenario } from '../test-systems.ts';
import { Execution } from './execution.ts';
import { OpenLoop, chooseWait } from './open-loop.ts';
import { ExecutorOptionsError } from './options.ts';
import { phaseWindow, runPhase } from './phase.ts';

function execution(): Execution {
  return new Execution({ operations: ['noop'], openLoop: true, errorLimit: undefined, signal: undefined });
}

/** Arrivals of the stream's Poisson schedule before `untilMs` of schedule time. */
function arrivalsBefore(seed: number, stream: number, ratePerSec: number, untilMs: number): number {
  const rng = Rng.at(seed, STREAM.arrival, stream);
  let n = 0;
  for (let t = rng.exponential(1000 / ratePerSec); t < untilMs; t += rng.exponential(1000 / ratePerSec)) n++;
  return n;
}

describe('open-loop executor', () => {
  it('validates its options once, naming the field', () => {
    using exec = execution();
    const base = {
      scenario: noopScenario(),
      sut: undefined,
      execution: exec,
      seed: 1,
      stream: 0,
      streamCount: 1,
    };
    expect(() => new OpenLoop({ ...base, ratePerSec: 0 })).toThrow(ExecutorOptionsError);
    expect(() => new OpenLoop({ ...base, ratePerSec: 0 })).toThrow(/open loop: ratePerSec/);
    expect(() => new OpenLoop({ ...base, ratePerSec: 10, stream: 2, streamCount: 2 })).toThrow(
      /stream: expected the stream index below streamCount/,
    );
    expect(() => new OpenLoop({ ...base, ratePerSec: 10, maxInFlight: 0 })).toThrow(/maxInFlight/);
  });

  it('keeps one schedule across phases: a pause between warmup and measure neither drops nor adds arrivals', async () => {
    using exec = execution();
    const loop = new OpenLoop({
      scenario: noopScenario(),
      sut: undefined,
      execution: exec,
      seed: 21,
      stream: 1,
      streamCount: 2,
      ratePerSec: 3_000,
    });
    expect(await runPhase(loop, phaseWindow(false, performance.now(), 40), 1_000)).toBe(true);
    await sleep(30); // the snapshot's time: not part of the schedule
    const measure = phaseWindow(true, performance.now(), 60);
    exec.beginMeasure(measure.startMs);
    expect(await runPhase(loop, measure, 1_000)).toBe(true);
    const all = arrivalsBefore(21, 1, 3_000, 100);
    const warmup = arrivalsBefore(21, 1, 3_000, 40);
    expect(loop.scheduled).toBe(all - warmup);
    expect(exec.stats[0]!.count).toBe(all - warmup);
    expect(loop.schedulingLag().count).toBe(all - warmup);
  });

  it('never has more than maxInFlight operations running', async () => {
    let running = 0;
    let most = 0;
    const scenario = defineScenario<undefined>({
      name: 'slow',
      description: 'each call takes a few milliseconds',
      data: { records: 1 },
      operations: [
        {
          name: 'noop',
          weight: 1,
          run: async () => {
            most = Math.max(most, ++running);
            await sleep(3);
            running--;
          },
        },
      ],
    });
    using exec = execution();
    const loop = new OpenLoop({
      scenario,
      sut: undefined,
      execution: exec,
      seed: 2,
      stream: 0,
      streamCount: 1,
      ratePerSec: 5_000,
      maxInFlight: 3,
    });
    const measure = phaseWindow(true, performance.now(), 60_000, 30);
    exec.beginMeasure(measure.startMs);
    expect(await runPhase(loop, measure, 5_000)).toBe(true);
    expect(exec.stats[0]!.count).toBe(30);
    expect(most).toBe(3);
  });

  it('waits by the nearness of the next start and what is in flight, never by a timer when it is near', () => {
    // Far: a timer (which wakes early).
    expect(chooseWait(10, 0, true, 0)).toBe('sleep');
    // Near, nothing in flight: spin to it.
    expect(chooseWait(0.05, 0, true, 0)).toBe('spin');
    expect(chooseWait(2.5, 0, true, 0)).toBe('spin');
    // Near, operations in flight: let microtask completions settle, then take a loop turn for I/O.
    expect(chooseWait(0.05, 2, false, 0)).toBe('settle');
    expect(chooseWait(0.05, 2, true, 0)).toBe('turn');
    // A turn at least every millisecond, for timers and I/O, even with nothing in flight.
    expect(chooseWait(0.05, 0, true, 1.5)).toBe('turn');
  });
});

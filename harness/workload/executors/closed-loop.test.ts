import { describe, expect, it } from 'vitest';
import { OperationPlanner } from '../planner.ts';
import { RecordingSystem, recordingScenario } from '../test-systems.ts';
import { ClosedLoop } from './closed-loop.ts';
import { Execution } from './execution.ts';
import { ExecutorOptionsError } from './options.ts';
import { phaseWindow, runPhase } from './phase.ts';

function execution(): Execution {
  return new Execution({
    operations: ['read', 'insert', 'scan'],
    openLoop: false,
    errorLimit: undefined,
    signal: undefined,
  });
}

describe('closed-loop executor', () => {
  it('validates its options once, naming the field', () => {
    using exec = execution();
    const base = { scenario: recordingScenario(), sut: new RecordingSystem(), execution: exec, seed: 1 };
    expect(() => new ClosedLoop({ ...base, streams: [], streamCount: 1 })).toThrow(ExecutorOptionsError);
    expect(() => new ClosedLoop({ ...base, streams: [], streamCount: 1 })).toThrow(
      /closed loop: streams: expected at least one worker/,
    );
    expect(() => new ClosedLoop({ ...base, streams: [0, 3], streamCount: 3 })).toThrow(
      /streams: expected every worker index below streamCount/,
    );
    expect(() => new ClosedLoop({ ...base, streams: [0], streamCount: 1, maxOpsPerWorker: 0 })).toThrow(
      /maxOpsPerWorker/,
    );
  });

  it('bounds each worker by count and carries its plan from the warmup into the measure phase', async () => {
    using exec = execution();
    const scenario = recordingScenario();
    const sut = new RecordingSystem();
    const loop = new ClosedLoop({
      scenario,
      sut,
      execution: exec,
      seed: 3,
      streams: [1, 3],
      streamCount: 4,
      maxOpsPerWorker: 50,
    });
    const warmup = phaseWindow(false, performance.now(), 20);
    expect(await runPhase(loop, warmup, 1_000)).toBe(true);
    const afterWarmup = new Map([...sut.calls].map(([stream, calls]) => [stream, calls.length]));
    const measure = phaseWindow(true, performance.now(), 60_000);
    exec.beginMeasure(measure.startMs);
    expect(await runPhase(loop, measure, 1_000)).toBe(true);
    expect(exec.stats.reduce((n, s) => n + s.count, 0)).toBe(100);
    const names = scenario.operations.map((o) => o.name);
    for (const stream of [1, 3]) {
      const calls = sut.calls.get(stream)!;
      expect(calls.length - afterWarmup.get(stream)!).toBe(50);
      const planner = new OperationPlanner(scenario, 3, stream, 4);
      const planned = calls.map(() => {
        const p = planner.next();
        return `${names[p.op]}:${p.key}:${p.valueSize}`;
      });
      expect(calls).toEqual(planned);
    }
    expect([...sut.calls.keys()].sort()).toEqual([1, 3]);
  });
});

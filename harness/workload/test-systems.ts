// Systems under test for the engine's own tests and benchmark: no store behind them, on purpose —
// they test the harness (scheduling, recording), not a store, which the DAL suites do for real.
import { setTimeout as sleep } from 'node:timers/promises';
import { defineScenario, type OperationContext, type Scenario } from './scenario.ts';

/** Records what it was asked to do, in order per stream. */
export class RecordingSystem {
  readonly calls = new Map<number, string[]>();
  note(ctx: OperationContext<RecordingSystem>, op: string): void {
    const list = this.calls.get(ctx.stream) ?? [];
    list.push(`${op}:${ctx.key}:${ctx.valueSize}`);
    this.calls.set(ctx.stream, list);
  }
}

export function recordingScenario(): Scenario<RecordingSystem> {
  return defineScenario<RecordingSystem>({
    name: 'recording',
    description: 'records the planned operations',
    data: { records: 1000, valueSize: { min: 10, max: 100 } },
    phases: { warmupMs: 0, measureMs: 60_000 },
    operations: [
      {
        name: 'read',
        weight: 8,
        keys: { type: 'zipfian' },
        run: async (ctx) => {
          ctx.sut.note(ctx, 'read');
          await Promise.resolve();
        },
      },
      {
        name: 'insert',
        weight: 1,
        inserts: true,
        run: (ctx) => Promise.resolve(ctx.sut.note(ctx, 'insert')),
      },
      {
        name: 'scan',
        weight: 1,
        keys: { type: 'latest' },
        run: (ctx) => Promise.resolve(ctx.sut.note(ctx, 'scan')),
      },
    ],
  });
}

/** A single-connection store: one request at a time; the n-th request stalls for `stallMs`. */
export class StallingSystem {
  private calls = 0;
  private busy: Promise<void> = Promise.resolve();
  constructor(
    private readonly stallAt: number,
    private readonly stallMs: number,
  ) {}

  request(): Promise<void> {
    const n = ++this.calls;
    const run = this.busy.then(() => (n === this.stallAt ? sleep(this.stallMs) : undefined));
    this.busy = run;
    return run;
  }
}

export function stallingScenario(): Scenario<StallingSystem> {
  return defineScenario<StallingSystem>({
    name: 'stalling',
    description: 'one request stalls the store',
    data: { records: 10 },
    operations: [{ name: 'request', weight: 1, run: (ctx) => ctx.sut.request() }],
  });
}

export function noopScenario(): Scenario<undefined> {
  return defineScenario<undefined>({
    name: 'noop',
    description: 'does nothing: measures the harness',
    data: { records: 1000 },
    operations: [{ name: 'noop', weight: 1, run: () => Promise.resolve() }],
  });
}

// Closed loop: N workers, each awaiting its operation before starting the next, so the store sets
// the pace. Each worker has its own seeded plan (stream), kept from phase to phase. Bounded by
// the phase's end, an operation budget shared by all workers, and optionally a per-worker count
// (k6's per-vu-iterations), which makes a run's operations independent of timing.
import { z } from 'zod';
import { discardingRecorder } from '../../metrics/scenario-recorder.ts';
import { OperationPlanner, STREAM } from '../planner.ts';
import { Rng } from '../random.ts';
import type { OperationContext, Scenario } from '../scenario.ts';
import type { Execution } from './execution.ts';
import { parseExecutorOptions } from './options.ts';
import type { Executor, PhaseWindow } from './phase.ts';

/** An operation that never leaves the microtask queue (a no-op, an in-process cache) would starve
 * timers and the abort signal: each worker gives the event loop a turn this often. */
const YIELD_EVERY_MS = 5;

const closedLoopSchema = z
  .object({
    seed: z.number().int(),
    /** Global indexes of the workers this process runs. */
    streams: z.array(z.number().int().min(0)).min(1, { message: 'expected at least one worker' }),
    /** Workers of the whole run, across shards. */
    streamCount: z.number().int().positive(),
    /** Measured operations per worker at most. */
    maxOpsPerWorker: z.number().int().positive().optional(),
  })
  .refine((o) => o.streams.every((s) => s < o.streamCount), {
    message: 'expected every worker index below streamCount',
    path: ['streams'],
  });

export interface ClosedLoopOptions<Sut> extends Omit<z.input<typeof closedLoopSchema>, 'streams'> {
  readonly streams: readonly number[];
  readonly scenario: Scenario<Sut>;
  readonly sut: Sut;
  readonly execution: Execution;
}

interface Worker {
  readonly stream: number;
  readonly planner: OperationPlanner;
  readonly rng: Rng;
  measured: number;
}

export class ClosedLoop<Sut> implements Executor {
  private readonly workers: readonly Worker[];
  private readonly maxOpsPerWorker: number;
  private readonly scenario: Scenario<Sut>;
  private readonly sut: Sut;
  private readonly execution: Execution;

  constructor(options: ClosedLoopOptions<Sut>) {
    const config = parseExecutorOptions('closed loop', closedLoopSchema, options);
    this.scenario = options.scenario;
    this.sut = options.sut;
    this.execution = options.execution;
    this.maxOpsPerWorker = config.maxOpsPerWorker ?? Infinity;
    this.workers = config.streams.map((stream) => ({
      stream,
      planner: new OperationPlanner(options.scenario, config.seed, stream, config.streamCount),
      rng: Rng.at(config.seed, STREAM.operation, stream),
      measured: 0,
    }));
  }

  async run(phase: PhaseWindow): Promise<void> {
    await Promise.all(this.workers.map((worker) => this.drive(worker, phase)));
  }

  private async drive(worker: Worker, phase: PhaseWindow): Promise<void> {
    const { execution, sut } = this;
    const ops = this.scenario.operations;
    // Hot loop: what stays fixed for the phase is read once.
    const { measuring, endMs } = phase;
    const maxOps = phase.maxOps ?? Infinity;
    const maxOpsPerWorker = this.maxOpsPerWorker;
    const stats = execution.stats;
    const signal = execution.signal;
    const recorder = measuring ? execution.recorder : discardingRecorder;
    let lastYieldMs = performance.now();
    for (;;) {
      if (execution.stopped || phase.ended) return;
      let startMs = performance.now();
      if (startMs - lastYieldMs > YIELD_EVERY_MS) {
        await new Promise<void>((resolve) => setImmediate(resolve));
        if (execution.stopped || phase.ended) return;
        lastYieldMs = startMs = performance.now();
      }
      if (startMs >= endMs) return;
      if (measuring) {
        if (execution.measuredOps >= maxOps || worker.measured >= maxOpsPerWorker) return;
        execution.measuredOps++;
        worker.measured++;
      }
      const planned = worker.planner.next();
      const op = planned.op;
      const ctx: OperationContext<Sut> = {
        sut,
        rng: worker.rng,
        key: planned.key,
        keyCount: planned.keyCount,
        valueSize: planned.valueSize,
        recorder,
        stream: worker.stream,
        signal,
      };
      execution.inFlight++;
      phase.inFlight++;
      try {
        await ops[op]!.run(ctx);
        if (measuring) stats[op]!.success(startMs, startMs, performance.now());
        else phase.onLatency?.(performance.now() - startMs);
      } catch (error) {
        if (measuring) execution.failed(op, error, performance.now());
      } finally {
        execution.inFlight--;
        phase.inFlight--;
      }
    }
  }
}

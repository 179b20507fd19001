// Runs a fault plan beside a workload: each step starts at its time (from `start`) or once the workload
// has done its number of operations, and every fault is healed when the plan is disposed, whatever
// state the run ended in. What happened, with times relative to the start, is kept for the report.
import { injectFault, checkFaultTargets, type ActiveFault, type FaultTargets } from './inject.ts';
import { describeStep, type FaultPlan, type FaultStep } from './plan.ts';

export interface FaultEvent {
  readonly step: FaultStep;
  /** ms from the plan's start when the fault was in place / over (undefined: not yet, or never). */
  readonly startedMs: number;
  readonly endedMs: number | undefined;
  /** Why the step could not be applied, or its recovery failed. */
  readonly error?: string;
}

export interface RunningPlan extends AsyncDisposable {
  /** Settles when every step has started and is over (or failed). */
  readonly done: Promise<void>;
  events(): FaultEvent[];
  /** Stop scheduling, heal every active fault. */
  stop(): Promise<void>;
}

export interface RunPlanOptions {
  /** Operations the workload has completed so far (for `afterOps` steps). */
  readonly opsDone?: () => number;
  readonly log?: (line: string) => void;
  /** How often `afterOps` steps look at the count. */
  readonly pollMs?: number;
}

export function runFaultPlan(
  plan: FaultPlan,
  targets: FaultTargets,
  options: RunPlanOptions = {},
): RunningPlan {
  checkFaultTargets(plan.steps, targets);
  const began = performance.now();
  const log = options.log ?? (() => undefined);
  const active: ActiveFault[] = [];
  const failures = new Map<FaultStep, string>();
  const timers = new Set<NodeJS.Timeout>();
  let stopped = false;
  const wait = (ms: number) =>
    new Promise<void>((resolve) => {
      const timer = setTimeout(() => {
        timers.delete(timer);
        resolve();
      }, ms);
      timers.add(timer);
    });
  const runStep = async (step: FaultStep) => {
    if ('atMs' in step.start) await wait(Math.max(0, began + step.start.atMs - performance.now()));
    else {
      const opsDone = options.opsDone;
      if (!opsDone)
        throw new Error(`fault step #${step.index}: afterOps needs the workload's operation count`);
      while (!stopped && opsDone() < step.start.afterOps) await wait(options.pollMs ?? 10);
    }
    if (stopped) return;
    try {
      const fault = await injectFault(step, targets);
      active.push(fault);
      log(`fault ${describeStep(step)}: in place at ${Math.round(fault.startedAt - began)} ms`);
      await fault.over;
      log(`fault #${step.index}: over at ${Math.round((fault.endedAt() ?? performance.now()) - began)} ms`);
    } catch (error) {
      const message = error instanceof Error ? error.message : String(error);
      failures.set(step, message);
      log(`fault #${step.index}: failed: ${message}`);
    }
  };
  const done = Promise.all(plan.steps.map(runStep)).then(() => undefined);
  let stopping: Promise<void> | undefined;
  const stop = () =>
    (stopping ??= (async () => {
      stopped = true;
      for (const timer of timers) clearTimeout(timer);
      const errors: unknown[] = [];
      for (const fault of active) await fault.heal().catch((error: unknown) => errors.push(error));
      if (errors.length > 0)
        throw new AggregateError(errors, `${errors.length} fault(s) could not be healed`);
    })());
  return {
    done,
    events: () =>
      plan.steps.flatMap((step) => {
        const fault = active.find((f) => f.step === step);
        const error = failures.get(step);
        if (!fault) return error ? [{ step, startedMs: NaN, endedMs: undefined, error }] : [];
        const ended = fault.endedAt();
        return [
          {
            step,
            startedMs: fault.startedAt - began,
            endedMs: ended === undefined ? undefined : ended - began,
            ...(error ? { error } : {}),
          },
        ];
      }),
    stop,
    [Symbol.asyncDispose]: stop,
  };
}

// One fault step applied to its store: process faults through the local provisioner's process control
// (kill, pause), network faults through the TCP proxy in front of the store (cut, drop, delay,
// throttle). Each returns when the fault is in place, with `over` settling when the store is back
// (restarted and ready, resumed, proxy restored) and `heal()` to end it early (cleanup).
import type { StoreProcessControl } from '../provision/local/fault-control.ts';
import type { StoreKind } from '../provision/provisioner.ts';
import { isProcessAction, type FaultStep } from './plan.ts';
import type { TcpProxy } from './tcp-proxy.ts';

/** What faults can act on in this run. */
export interface FaultTargets {
  /** How the stores came up: only `local` has processes to kill or pause. */
  readonly mode: 'local' | 'docker' | 'external';
  /** The proxy in front of each store whose traffic was routed through one. */
  readonly proxies: Readonly<Partial<Record<StoreKind, TcpProxy>>>;
  /** Signals and restarts the stores this run started (local mode). */
  readonly processes?: StoreProcessControl;
}

export class FaultUnsupportedError extends Error {
  override name = 'FaultUnsupportedError';
}

export interface ActiveFault {
  readonly step: FaultStep;
  /** performance.now() when the fault was in place. */
  readonly startedAt: number;
  /** Settles when the store is back (or at once for a kill that is left down, and a one-shot drop). */
  readonly over: Promise<void>;
  /** performance.now() when it was over, once it is. */
  readonly endedAt: () => number | undefined;
  /** End the fault now (restart/resume/restore); idempotent. */
  heal(): Promise<void>;
}

/** Check up front that every step can be applied here, so a plan fails before the run, not during it. */
export function checkFaultTargets(steps: readonly FaultStep[], targets: FaultTargets): void {
  for (const step of steps) targetOf(step, targets);
}

function targetOf(
  step: FaultStep,
  targets: FaultTargets,
): { processes: StoreProcessControl } | { proxy: TcpProxy } {
  if (isProcessAction(step.action)) {
    if (targets.mode !== 'local' || !targets.processes)
      throw new FaultUnsupportedError(
        `fault step #${step.index}: ${step.action} ${step.store} needs local mode (a store process this run started); ` +
          `stores are ${targets.mode} here, where only proxy faults apply (cut, drop, delay, throttle)`,
      );
    return { processes: targets.processes };
  }
  const proxy = targets.proxies[step.store];
  if (!proxy)
    throw new FaultUnsupportedError(
      `fault step #${step.index}: ${step.action} ${step.store} needs ${step.store}'s traffic routed through a fault proxy, and it is not`,
    );
  return { proxy };
}

export async function injectFault(step: FaultStep, targets: FaultTargets): Promise<ActiveFault> {
  const target = targetOf(step, targets);
  let endedAt: number | undefined;
  let timer: NodeJS.Timeout | undefined;
  let ending: Promise<void> | undefined;
  let resolveOver: () => void = () => undefined;
  let rejectOver: (error: unknown) => void = () => undefined;
  const over = new Promise<void>((resolve, reject) => {
    resolveOver = resolve;
    rejectOver = reject;
  });
  // A failed restart surfaces through `over` and heal(); never as an unhandled rejection.
  over.catch(() => undefined);
  const end = (undo: () => void | Promise<void>) => {
    ending ??= (async () => {
      clearTimeout(timer);
      try {
        await undo();
        endedAt = performance.now();
        resolveOver();
      } catch (error) {
        rejectOver(error);
        throw error;
      }
    })();
    return ending;
  };
  const after = (ms: number, undo: () => void | Promise<void>) => {
    timer = setTimeout(() => void end(undo).catch(() => undefined), ms);
  };

  let undo: (() => void | Promise<void>) | undefined;
  let forMs: number | undefined;
  if ('processes' in target) {
    const { processes } = target;
    if (step.action === 'kill') {
      await processes.kill(step.store);
      forMs = step.restartAfterMs;
      undo = forMs === undefined ? undefined : () => processes.restart(step.store);
    } else {
      processes.pause(step.store);
      forMs = step.action === 'pause' ? step.forMs : undefined;
      undo = () => processes.resume(step.store);
    }
  } else {
    const { proxy } = target;
    switch (step.action) {
      case 'cut':
        proxy.cut();
        break;
      case 'drop':
        proxy.drop({ untilRestore: step.forMs !== undefined });
        break;
      case 'delay':
        proxy.delay({ delayMs: step.delayMs, jitterMs: step.jitterMs });
        break;
      case 'throttle':
        proxy.throttle(step.bytesPerSecond);
        break;
      default:
        throw new Error(`fault step #${step.index}: ${step.action} is not a proxy fault`);
    }
    forMs = step.forMs;
    undo = forMs === undefined ? undefined : () => proxy.restore();
  }
  const startedAt = performance.now();
  if (undo === undefined || forMs === undefined) void end(() => undefined);
  else after(forMs, undo);
  const heal = undo ?? (() => undefined);
  return {
    step,
    startedAt,
    over,
    endedAt: () => endedAt,
    heal: () => end(heal),
  };
}

// `dalbench run --faults plan.yaml`: the plan runs beside every scenario × profile's measure phase
// (its times count from the measure phase's start, `afterOps` from its measured operations). Proxy
// faults act on the store's TCP proxy, which the pair's traffic is routed through; kill and pause need
// the store's process (local mode), refused up front elsewhere. A step on a store the profile does not
// use is not applied, and says so. Every fault is healed when the measure phase ends, whatever happened.
import { storeProcessControl, type StoreProcessControl } from '../provision/local/fault-control.ts';
import type { LocalProvisionedStores } from '../provision/local-provisioner.ts';
import type { ProvisionedStores, StoreKind } from '../provision/provisioner.ts';
import type { ScenarioResult } from '../results/schema.ts';
import type { FaultTargets } from '../faults/inject.ts';
import { FaultPlanError, describeStep, isProcessAction, type FaultPlan } from '../faults/plan.ts';
import { runFaultPlan, type RunningPlan } from '../faults/run-plan.ts';
import type { TcpProxy } from '../faults/tcp-proxy.ts';

/** How the run's stores came up, and their processes when this run started them. */
export interface RunFaultTargets {
  readonly mode: FaultTargets['mode'];
  readonly processes: StoreProcessControl | undefined;
}

function isLocal(stores: ProvisionedStores): stores is LocalProvisionedStores {
  return 'pids' in stores && 'unexpectedExits' in stores;
}

/**
 * What the plan can act on in this run; refuses a process fault where the stores are not this run's
 * own processes, and a step on a store the run did not bring up, before anything runs.
 */
export function runFaultTargets(plan: FaultPlan, stores: ProvisionedStores): RunFaultTargets {
  const endpoints = Object.values(stores.endpoints);
  // Only stores this run started have processes to signal; lent or external ones take proxy faults.
  const ownsProcesses = isLocal(stores) && endpoints.every((e) => e.mode === 'local');
  const given = endpoints.find((e) => e.mode !== 'local')?.mode ?? 'external';
  const mode = ownsProcesses ? 'local' : given;
  const where = ownsProcesses
    ? 'local'
    : endpoints.some((e) => e.mode === 'local')
      ? 'not started by this run'
      : mode;
  for (const step of plan.steps) {
    if (!stores.endpoints[step.store])
      throw new FaultPlanError(
        plan.source,
        `steps[${step.index}] acts on ${step.store}, which this run did not bring up` +
          (stores.unavailable[step.store]
            ? ` (${stores.unavailable[step.store]})`
            : ' (no selected profile uses it)'),
      );
    if (isProcessAction(step.action) && mode !== 'local')
      throw new FaultPlanError(
        plan.source,
        `steps[${step.index}]: ${step.action} ${step.store} needs a store process this run started; stores ` +
          `are ${where} here, where only proxy faults apply (cut, drop, delay, throttle)`,
        { hint: 'run with --stores local for kill and pause' },
      );
  }
  const needsProcesses = plan.steps.some((s) => isProcessAction(s.action));
  return { mode, processes: needsProcesses && isLocal(stores) ? storeProcessControl(stores) : undefined };
}

/** Stores whose traffic goes through a proxy for the plan: those of its proxy faults. */
export function proxiedStores(plan: FaultPlan | undefined): StoreKind[] {
  return [...new Set((plan?.steps ?? []).filter((s) => !isProcessAction(s.action)).map((s) => s.store))];
}

export interface PairFaults {
  /** Starts the plan (call when the measure phase begins). */
  start(measuredOps: () => number): void;
  /** Heals every fault and returns what happened, for the result. */
  finish(): Promise<Pick<ScenarioResult, 'faults' | 'warnings'>>;
}

/** The plan's steps that apply to a pair whose profile uses `used` stores, behind `proxies`. */
export function pairFaults(
  plan: FaultPlan,
  targets: RunFaultTargets,
  used: ReadonlySet<StoreKind>,
  proxies: Readonly<Partial<Record<StoreKind, TcpProxy>>>,
  log: (line: string) => void,
): PairFaults {
  const applicable = plan.steps.filter((s) => used.has(s.store));
  const warnings = plan.steps
    .filter((s) => !used.has(s.store))
    .map((s) => `fault ${describeStep(s)} not applied: this profile does not use ${s.store}`);
  let running: RunningPlan | undefined;
  return {
    start(measuredOps) {
      if (applicable.length === 0) return;
      running = runFaultPlan(
        { ...plan, steps: applicable },
        { mode: targets.mode, proxies, ...(targets.processes ? { processes: targets.processes } : {}) },
        { opsDone: measuredOps, log },
      );
    },
    async finish() {
      if (!running) return { faults: [], warnings };
      let healError: string | undefined;
      await running.stop().catch((error: unknown) => {
        healError = error instanceof Error ? error.message : String(error);
      });
      const events = running.events();
      const faults = applicable.map((step) => {
        const event = events.find((e) => e.step === step);
        const started = event && Number.isFinite(event.startedMs) ? Math.round(event.startedMs) : undefined;
        const ended = event?.endedMs === undefined ? undefined : Math.round(event.endedMs);
        return {
          step: describeStep(step),
          store: step.store,
          action: step.action,
          ...(started === undefined ? {} : { startedMs: started }),
          ...(ended === undefined ? {} : { endedMs: ended }),
          ...(event?.error ? { error: event.error } : {}),
        };
      });
      for (const fault of faults) {
        if (fault.error) warnings.push(`fault ${fault.step} failed: ${fault.error}`);
        else if (fault.startedMs === undefined)
          warnings.push(`fault ${fault.step} never started (the measure phase ended first)`);
        else
          warnings.push(
            `fault ${fault.step}: in place ${fault.startedMs}–${fault.endedMs ?? 'end'} ms into the measure phase`,
          );
      }
      if (healError) warnings.push(`healing the faults failed: ${healError}`);
      return { faults, warnings };
    },
  };
}

// A run, resolved once at the edge (CLI flags + dalbench.config.ts + --quick): which scenarios on
// which profiles, how stores come up, the load, the seed. Plain frozen data from here on.
import type { FaultPlan } from '../faults/plan.ts';
import type { Profile } from '../../reference-dal/profiles/profile.ts';
import type { ProvisionMode } from '../provision/provisioner.ts';
import type { LoadModelInput } from '../workload/load-model.ts';
import type { Shard } from '../workload/shard.ts';
import type { ScenarioEntry } from '../../scenarios/index.ts';
import type { StableWarmup } from '../workload/warmup.ts';

export const DRIVERS = ['dal', 'http', 'both'] as const;
export type Driver = (typeof DRIVERS)[number];

export interface RunPlan {
  readonly scenarios: readonly ScenarioEntry[];
  readonly profiles: readonly Profile[];
  readonly stores: ProvisionMode;
  readonly load: LoadModelInput;
  readonly seed: number;
  readonly durationMs: number | undefined;
  readonly warmupMs: number | undefined;
  /** `--warmup stable[:CAP]`: warm up until the p50 settles instead of for `warmupMs`. */
  readonly warmupUntilStable?: StableWarmup | undefined;
  readonly quick: boolean;
  readonly repeat: number;
  readonly shard: Shard | undefined;
  readonly driver: Driver;
  /** `--reuse-data`: keep the data of read-only scenarios and reuse it when its identity matches. */
  readonly reuseData?: boolean;
  /**
   * Give every profile the same memory in total (PostgreSQL restarted with the difference as
   * shared_buffers before a profile's pairs; local stores only). Default true; `--no-equal-memory`.
   */
  readonly equalMemory?: boolean;
  /** The profiles the memory budget is taken over (default `profiles`): a confirmation re-run keeps its run's. */
  readonly memoryProfiles?: readonly Profile[];
  /** `--faults`: a fault plan run beside every measure phase. */
  readonly faults?: FaultPlan;
  /** Everything above as plain data, recorded (redacted) in results.json. */
  readonly config: Readonly<Record<string, unknown>>;
}

/** Quick mode: short phases so eight scenarios × three profiles finish in well under 3 minutes. */
export const QUICK_PHASES = { warmupMs: 500, durationMs: 2_000, concurrency: 4 } as const;

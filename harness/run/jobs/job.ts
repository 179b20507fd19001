// A job scenario: one measured, one-shot piece of work (a migration) rather than a load loop. The
// orchestrator calls it instead of the runner, once per repeat, only for the profiles it names.
import type { ProfileStore } from '../../../reference-dal/profiles/profile.ts';
import type { SystemUnderTest } from '../../../reference-dal/profiles/system-under-test.ts';
import type { StoreKind } from '../../provision/provisioner.ts';
import type { ScenarioResult } from '../../results/schema.ts';
import { defineScenario, type Scenario } from '../../workload/scenario.ts';

export interface JobContext {
  /** Server URL per store that is up (jobs create their own databases, indices and buckets on them). */
  readonly endpoints: Readonly<Partial<Record<ProfileStore, string>>>;
  readonly seed: number;
  /** Unique per run, scenario and repeat: lowercase a-z0-9_. */
  readonly label: string;
  readonly profile: string;
  readonly repeat: number;
  readonly signal?: AbortSignal;
  readonly log: (line: string) => void;
}

export interface ScenarioJob {
  /** Profiles the job reports for; other profiles get no row. */
  readonly profiles: readonly string[];
  /** Stores the job needs; when one is down the job is recorded as skipped with the reason. */
  readonly stores: readonly StoreKind[];
  run(context: JobContext): Promise<ScenarioResult>;
}

export class JobOnlyError extends Error {
  override name = 'JobOnlyError';
}

/**
 * The Scenario face of a job (its name, description and stores, for plans and reports). Its operation
 * only reports what the job records; the runner must never drive it, so running it throws.
 */
export function jobScenario(input: {
  name: string;
  description: string;
  stores: StoreKind[];
  operation: string;
}): Scenario<SystemUnderTest> {
  return defineScenario<SystemUnderTest>({
    name: input.name,
    description: input.description,
    stores: input.stores,
    data: { records: 1 },
    phases: { load: false },
    operations: [
      {
        name: input.operation,
        weight: 1,
        run: () =>
          Promise.reject(
            new JobOnlyError(`${input.name} is a job scenario: run it through its job, not the load runner`),
          ),
      },
    ],
  });
}

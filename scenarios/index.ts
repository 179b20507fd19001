// The ADR-024 scenarios in report order, built for a size, with what each needs of a profile beyond
// the storage types every profile has. An operation whose capability the profile lacks is left out
// of that profile's run, and the result carries a warning saying so (never a faked figure).
import type { StoreKind } from '../harness/provision/provisioner.ts';
import { jobScenario, type ScenarioJob } from '../harness/run/jobs/job.ts';
import {
  MIGRATION_PROFILE,
  MIGRATION_POINTS,
  MIGRATION_SCENARIO,
  runMigrationJob,
} from '../harness/run/jobs/migration-job.ts';
import type { Scenario } from '../harness/workload/scenario.ts';
import type { Capabilities, SystemUnderTest } from '../reference-dal/profiles/system-under-test.ts';
import { crossStoreConsistency } from './cross-store-consistency.ts';
import { dashboardReads } from './dashboard-reads.ts';
import { experimentSearch } from './experiment-search.ts';
import { failureIsolation, failureIsolationApplies } from './failure-isolation.ts';
import { metricsIngest } from './metrics-ingest.ts';
import { metricsQuery } from './metrics-query.ts';
import { modelArtifacts } from './model-artifacts.ts';
import { polyglotOverall } from './polyglot-overall.ts';
import { realtimeDetection } from './realtime-detection.ts';
import type { ScenarioBuildOptions } from './support/sizes.ts';
import type { ScaleSpec } from '../harness/data/scale.ts';

export interface ScenarioEntry {
  readonly scenario: Scenario<SystemUnderTest>;
  /** Operation name → why it cannot run on a profile with these capabilities (undefined: it can). */
  readonly unsupported?: (capabilities: Capabilities) => Readonly<Record<string, string>>;
  /** Operations `dalbench serve` exposes and the http driver can run. */
  readonly http?: readonly string[];
  /** A one-shot measured job the run calls instead of the load runner (only for the profiles it names). */
  readonly job?: ScenarioJob;
  /** Stores the run routes through a fault proxy; the system under test gets their switches (`faults`). */
  readonly faults?: readonly StoreKind[];
  /** Why the scenario cannot run on a profile with these capabilities (the pair is skipped), or undefined. */
  readonly applies?: (capabilities: Capabilities) => string | undefined;
  /** Its data grows with `--scale` (it declares how, in its builder). */
  readonly scalable?: boolean;
  /** Set on the entries of a `--scale` run: the size this entry's data was built for. */
  readonly scale?: { readonly name: string; readonly factor: number };
}

/** The entry for one size of a sweep: named `scenario@scale` so every result key carries the size. */
export function atScale(entry: ScenarioEntry, scale: ScaleSpec): ScenarioEntry {
  const label = scaleLabel(scale.name);
  return {
    ...entry,
    scenario: { ...entry.scenario, name: `${entry.scenario.name}@${label}` },
    scale: { name: label, factor: scale.factor },
  };
}

/** A size as it appears in result keys and budgets: a factor `s*2.5` becomes `x2_5` (`.` and `*` mean other things there). */
export function scaleLabel(name: string): string {
  return name.replace(/^s\*/, 'x').replace(/\./g, '_');
}

export function builtInScenarios(options: ScenarioBuildOptions = {}): ReadonlyMap<string, ScenarioEntry> {
  const entries: ScenarioEntry[] = [
    { scenario: realtimeDetection(options), http: ['request'] },
    { scenario: metricsIngest(options), scalable: true },
    { scenario: metricsQuery(options), scalable: true },
    { scenario: experimentSearch(options), scalable: true },
    {
      scenario: modelArtifacts(options),
      unsupported: (c): Record<string, string> =>
        c.presign ? {} : { presign: `object backend ${c.backends.object} has no presigned URLs` },
    },
    { scenario: dashboardReads(options), http: ['read', 'write'] },
    { scenario: crossStoreConsistency(options) },
    { scenario: polyglotOverall(options) },
    migrationEntry(options),
    { scenario: failureIsolation(options), faults: ['elasticsearch'], applies: failureIsolationApplies },
  ];
  return new Map(entries.map((e) => [e.scenario.name, e]));
}

function migrationEntry(options: ScenarioBuildOptions): ScenarioEntry {
  const quick = options.size === 'quick';
  const stores: StoreKind[] = ['postgres', 'elasticsearch', 's3'];
  return {
    scenario: jobScenario({
      name: MIGRATION_SCENARIO,
      description: `ADR-024 phase 3: ${MIGRATION_POINTS[quick ? 'quick' : 'full']} metric points and proportionally many entities, documents and objects migrated from single-postgres to polyglot in batches, then verified by counts and digests`,
      stores,
      operation: 'batch',
    }),
    job: {
      profiles: [MIGRATION_PROFILE],
      stores,
      run: (context) => runMigrationJob({ ...context, quick }),
    },
  };
}

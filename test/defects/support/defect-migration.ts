// The migration as a job scenario entry for defect tests: one job that reports for the given profiles,
// migrating with the reference specs or, for a defect profile, with the specs that profile names.
import type { StoreKind } from '../../../harness/provision/provisioner.ts';
import { jobScenario, type JobContext } from '../../../harness/run/jobs/job.ts';
import { MIGRATION_SCENARIO, runMigrationJob } from '../../../harness/run/jobs/migration-job.ts';
import {
  dataTypeSpecs,
  documentsSpec,
  type DataTypeSpec,
} from '../../../reference-dal/migration/data-types.ts';
import type { ScenarioEntry } from '../../../scenarios/index.ts';

type Specs = readonly DataTypeSpec<unknown>[];

/** The reference specs with the documents writer cutting `field` of every document to `length` characters. */
export function truncatingDocumentSpecs(field: string, length: number): Specs {
  const truncating: typeof documentsSpec = {
    ...documentsSpec,
    write: (target, rows, commit) =>
      documentsSpec.write(
        target,
        rows.map((row) => {
          const value = row.doc[field];
          return typeof value === 'string'
            ? { ...row, doc: { ...row.doc, [field]: value.slice(0, length) } }
            : row;
        }),
        commit,
      ),
  };
  return dataTypeSpecs().map((spec) =>
    spec.name === 'documents' ? (truncating as DataTypeSpec<unknown>) : spec,
  );
}

/** The `migration` job scenario on a tiny dataset; `specsByProfile` names the defect migrations. */
export function migrationEntry(
  profiles: readonly string[],
  specsByProfile: Readonly<Record<string, Specs>>,
  points = 60,
): ScenarioEntry {
  const stores: StoreKind[] = ['postgres', 'elasticsearch', 's3'];
  return {
    scenario: jobScenario({
      name: MIGRATION_SCENARIO,
      description: 'tiny migration',
      stores,
      operation: 'batch',
    }),
    job: {
      profiles,
      stores,
      run: (context: JobContext) => {
        const specs = specsByProfile[context.profile];
        return runMigrationJob({ ...context, quick: true, points, ...(specs ? { specs } : {}) });
      },
    },
  };
}

// migrationMismatches can fail: a migration that cuts every document's body to 10 characters is
// measured by the real migration job on real stores, and the ADR's budget
// (`migrationMismatches(migration) == 0`) fails on it, naming the first damaged record; the reference
// migration in the same run passes.
import { describe, expect, it } from 'vitest';
import { polyglotProfile } from '../../reference-dal/profiles/builtin-profiles.ts';
import { defineProfile } from '../../reference-dal/profiles/profile.ts';
import { migrationEntry, truncatingDocumentSpecs } from './support/defect-migration.ts';
import { runOnProfiles, verdictOf } from './support/run-defect.ts';

/** The polyglot stores; the run migrates into them with the truncating documents writer. */
const truncatingMigration = defineProfile({
  name: 'truncating-migration',
  description: 'defect: the migration cuts every document body to 10 characters',
  requires: [...polyglotProfile.requires],
  optional: [...polyglotProfile.optional],
  storage: (env) => polyglotProfile.storage(env),
});

const BUDGET = 'migrationMismatches(migration, PROFILE) == 0';

describe('migrationMismatches detects a migration that truncates a field', () => {
  it('fails the budget for the truncating migration, naming the record, and passes the reference one', async () => {
    const results = await runOnProfiles({
      scenario: migrationEntry(['polyglot', truncatingMigration.name], {
        [truncatingMigration.name]: truncatingDocumentSpecs('body', 10),
      }),
      profiles: [polyglotProfile, truncatingMigration],
    });
    const byProfile = new Map(results.scenarios.map((s) => [s.profile, s]));
    const defect = byProfile.get(truncatingMigration.name)!;
    const reference = byProfile.get('polyglot')!;
    expect(defect.status, defect.reason).toBe('completed');
    expect(reference.status, reference.reason).toBe('completed');
    console.log(
      `migration-truncation: migrationMismatches polyglot ${reference.metrics.migrationMismatches}, truncating ${defect.metrics.migrationMismatches}`,
    );

    expect(defect.metrics.migrationMismatches).toBeGreaterThan(0);
    expect(defect.warnings.join('\n')).toMatch(
      /migration mismatch in documents .*documents (experiments|notes)\/doc-\d+: content differs/,
    );
    expect(verdictOf(results, BUDGET, truncatingMigration.name).status).toBe('fail');

    expect(reference.metrics.migrationMismatches).toBe(0);
    expect(verdictOf(results, BUDGET, 'polyglot').status).toBe('pass');
  });
});

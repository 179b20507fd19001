// Synchronous properties (pure parsers) with the same replay contract as assertProperty: the failure
// message carries the seed, the path and the DALBENCH_SEED/DALBENCH_PATH command that replays it.
import fc from 'fast-check';
import { propertyParameters } from '../../../harness/conformance/support/seed.ts';

export function assertSyncProperty<Ts>(property: fc.IProperty<Ts>, numRuns: number): void {
  const details = fc.check(property, propertyParameters<Ts>(numRuns));
  if (!details.failed) return;
  const replay = `DALBENCH_SEED=${details.seed} DALBENCH_PATH=${details.counterexamplePath ?? ''}`;
  throw new Error(
    `property failed (seed ${details.seed}, path "${details.counterexamplePath ?? ''}"); replay with ${replay}\n` +
      fc.defaultReportMessage(details),
    { cause: details.errorInstance },
  );
}

// Replayable properties: DALBENCH_SEED (and optionally DALBENCH_PATH) feed fast-check's seed/path,
// and a failure report carries the seed, the path and the command to replay it.
import fc from 'fast-check';
import { seedFromEnv } from '../../stats/random.ts';

/**
 * Integer seed from DALBENCH_SEED, or undefined (fast-check then picks one and prints it). The reader
 * is stats/random.ts's; the name stays for the suites that import it from here.
 */
export { seedFromEnv as envSeed } from '../../stats/random.ts';

/**
 * fast-check parameters honouring DALBENCH_SEED / DALBENCH_PATH; numRuns stays small for real servers.
 * DALBENCH_PROPERTY_END_ON_FAILURE=1 (set by `npm run mutate`) skips shrinking: a mutation run only
 * needs to know that a property failed, and shrinking against real stores costs many round trips.
 */
export function propertyParameters<T>(
  numRuns: number,
  env: NodeJS.ProcessEnv = process.env,
): fc.Parameters<T> {
  const seed = seedFromEnv(env);
  const path = env.DALBENCH_PATH?.trim();
  return {
    numRuns,
    ...(seed === undefined ? {} : { seed }),
    ...(path ? { path } : {}),
    ...(env.DALBENCH_PROPERTY_END_ON_FAILURE === '1' ? { endOnFailure: true } : {}),
  };
}

/** Run an async property; on failure rethrow with seed, path and the replay command in the message. */
export async function assertProperty<Ts>(
  property: fc.IAsyncProperty<Ts> | fc.IAsyncPropertyWithHooks<Ts>,
  numRuns: number,
): Promise<void> {
  throwIfFailed(await fc.check(property, propertyParameters<Ts>(numRuns)));
}

/** The synchronous twin (pure parsers), with the same replay contract. */
export function assertSyncProperty<Ts>(property: fc.IProperty<Ts>, numRuns: number): void {
  throwIfFailed(fc.check(property, propertyParameters<Ts>(numRuns)));
}

function throwIfFailed<Ts>(details: fc.RunDetails<Ts>): void {
  if (!details.failed) return;
  const replay = `DALBENCH_SEED=${details.seed} DALBENCH_PATH=${details.counterexamplePath ?? ''}`;
  throw new Error(
    `property failed (seed ${details.seed}, path "${details.counterexamplePath ?? ''}"); replay with ${replay}\n` +
      fc.defaultReportMessage(details),
    { cause: details.errorInstance },
  );
}

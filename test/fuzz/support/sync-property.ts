// Synchronous properties (pure parsers) with the same replay contract as assertProperty: the failure
// message carries the seed, the path and the DALBENCH_SEED/DALBENCH_PATH command that replays it.
export { assertSyncProperty } from '../../../harness/conformance/support/seed.ts';

/** What `fn` threw, or undefined when it returned. */
export function outcome(fn: () => unknown): unknown {
  try {
    fn();
    return undefined;
  } catch (error) {
    return error;
  }
}

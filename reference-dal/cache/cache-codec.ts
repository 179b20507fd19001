// Cached values are JSON wrapped as `{"v":…}`: Redis nil is the only miss, so a cached 0, "",
// false, null or [] is a hit (the ADR sample's `if cached_value:` turned them into misses), and a
// value written by something else is recognised as foreign instead of being returned as data.
import { DalError, ValidationError } from '../errors.ts';

/** Encode a value for the cache. Values must be JSON-representable; Dates come back as strings. */
export function encodeCacheValue(value: unknown, field = 'cache value'): string {
  let json: string | undefined;
  try {
    json = JSON.stringify(value);
  } catch (error) {
    throw new ValidationError(field, 'is not JSON-serialisable', { cause: error });
  }
  // undefined, functions and symbols serialise to nothing: there is no value to cache.
  if (json === undefined) throw new ValidationError(field, `${typeof value} cannot be cached (not JSON)`);
  return `{"v":${json}}`;
}

/** A cached entry this codec did not write (counted as a `decode` error and treated as a miss). */
export class CacheDecodeError extends DalError {
  override name = 'CacheDecodeError';
}

export function decodeCacheValue(raw: string): unknown {
  let parsed: unknown;
  try {
    parsed = JSON.parse(raw);
  } catch (error) {
    throw new CacheDecodeError('cached entry is not JSON', { cause: error });
  }
  if (typeof parsed !== 'object' || parsed === null || !Object.hasOwn(parsed, 'v')) {
    throw new CacheDecodeError('cached entry is not a {"v": …} envelope');
  }
  return (parsed as { v: unknown }).v;
}

// A lease marks a key whose value one reader is loading (see atomic-writes.ts). It is not a
// `{"v":…}` envelope, so no reader ever takes it for a value.
const LEASE_PREFIX = '{"lease":"';

/** The marker a reader leaves in a key while it loads the value (unique per load). */
export function encodeLease(token: string): string {
  return `${LEASE_PREFIX}${token}"}`;
}

/** The token of a lease marker, or undefined when `raw` is something else. */
export function leaseToken(raw: string): string | undefined {
  return raw.startsWith(LEASE_PREFIX) && raw.endsWith('"}') ? raw.slice(LEASE_PREFIX.length, -2) : undefined;
}

// One hierarchy for everything the DAL throws: callers branch on class, humans read the message,
// and the original driver error is always kept as `cause`.

export type StoreName = 'postgres' | 'timescaledb' | 'redis' | 'elasticsearch' | 's3';

/** Replace the password of a connection URL; non-URLs are returned with nothing that looks like a secret. */
export function redactUrl(url: string): string {
  try {
    const parsed = new URL(url);
    if (parsed.password) parsed.password = '***';
    for (const key of [...parsed.searchParams.keys()]) {
      if (/pass|secret|token|key|credential/i.test(key)) parsed.searchParams.set(key, '***');
    }
    return parsed.toString();
  } catch {
    // Not a URL (a bad port, a typo): mask what looks like a password or a secret parameter anyway.
    return url
      .replace(/:\/\/([^:/@]+):[^@]*@/, '://$1:***@')
      .replace(/([?&][^=&#\s]*(?:pass|secret|token|key|credential)[^=&#\s]*=)[^&#\s]*/gi, '$1***');
  }
}

/** Config keys whose values are secrets, whatever their shape. */
const SECRET_KEY = /pass(word)?|secret|token|credential|api[-_]?key|private[-_]?key|access[-_]?key/i;

/**
 * A deep copy for printing or recording: values under secret-looking keys masked, passwords removed
 * from URL strings, functions named only. The one helper for results.json and every report.
 */
export function redactConfig(value: unknown, key = ''): unknown {
  if (key && SECRET_KEY.test(key) && value !== undefined && value !== null) return '***';
  if (typeof value === 'string') return /^[a-z][a-z0-9+.-]*:\/\//i.test(value) ? redactUrl(value) : value;
  if (Array.isArray(value)) return value.map((v) => redactConfig(v));
  if (typeof value === 'function') return '[function]';
  if (value && typeof value === 'object') {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, redactConfig(v, k)]));
  }
  return value;
}

export class DalError extends Error {
  override name = 'DalError';
}

/** A store failed or could not be reached. Names the store and its (redacted) URL. */
export class StoreError extends DalError {
  override name = 'StoreError';
  readonly store: StoreName;
  readonly url: string | undefined;
  constructor(store: StoreName, message: string, options: { url?: string; cause?: unknown } = {}) {
    const where = options.url ? ` at ${redactUrl(options.url)}` : '';
    super(`${store}${where}: ${message}`, { cause: options.cause });
    this.store = store;
    this.url = options.url ? redactUrl(options.url) : undefined;
  }
}

/** An operation took longer than its configured timeout. */
export class StoreTimeoutError extends StoreError {
  override name = 'StoreTimeoutError';
}

/** Input that the DAL refuses before anything is written: names the input and what was wrong. */
export class ValidationError extends DalError {
  override name = 'ValidationError';
  readonly field: string;
  constructor(field: string, message: string, options: { cause?: unknown } = {}) {
    super(`${field}: ${message}`, options);
    this.field = field;
  }
}

/** An optimistic-concurrency check failed: the entity changed since it was read. */
export class VersionConflictError extends DalError {
  override name = 'VersionConflictError';
  constructor(
    readonly entity: string,
    readonly id: string,
    readonly expectedVersion: number,
    readonly actualVersion: number | undefined,
  ) {
    super(
      `${entity} ${id}: expected version ${expectedVersion}, found ${actualVersion === undefined ? 'no row' : `version ${actualVersion}`}`,
    );
  }
}

export class NotFoundError extends DalError {
  override name = 'NotFoundError';
  constructor(
    readonly entity: string,
    readonly id: string,
  ) {
    super(`${entity} ${id} not found`);
  }
}

/** A stored value failed its integrity check (e.g. an object's SHA-256 did not match on read). */
export class IntegrityError extends DalError {
  override name = 'IntegrityError';
}

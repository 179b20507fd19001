// Key and metadata rules every ObjectRepository backend enforces before touching its store, so that
// S3 (real or S3Proxy/MinIO on a filesystem) and PostgreSQL give the same answer to the same key.
import { ValidationError } from '../errors.ts';

/** S3's limit: 1,024 bytes of UTF-8. */
export const MAX_KEY_BYTES = 1024;
/**
 * Bytes of one "/"-separated segment: a file name on filesystem-backed S3 servers. MinIO allows 255;
 * S3Proxy's filesystem backend only 218 (it adds to the name on disk; measured), answering a longer
 * one with a 500 InternalError. 200 keeps a margin under both.
 */
export const MAX_KEY_SEGMENT_BYTES = 200;
/** S3 user metadata (names + values) is limited to 2 KiB. */
export const MAX_METADATA_BYTES = 2048;
/** Reserved user-metadata name holding the hex SHA-256 of the content. */
export const SHA256_METADATA = 'sha256';

// eslint-disable-next-line no-control-regex
const CONTROL = /[\u0000-\u001f\u007f]/;
const METADATA_NAME = /^[a-z0-9][a-z0-9-]{0,127}$/;
const METADATA_VALUE = /^[\x20-\x7e]*$/;

/**
 * Spaces, unicode and up to 1,024 bytes (200 per segment) work exactly. Refused: empty keys, control characters,
 * lone surrogates, and path forms that filesystem-backed S3 servers (MinIO, S3Proxy) rewrite or
 * refuse — a leading "/", a trailing "/", "//", and "." or ".." segments — since storing "a/../b"
 * as "b" would be a wrong result.
 */
export function validateObjectKey(key: string, field = 'key'): void {
  if (typeof key !== 'string' || key.length === 0)
    throw new ValidationError(field, 'must be a non-empty string');
  const bytes = Buffer.byteLength(key, 'utf8');
  if (bytes > MAX_KEY_BYTES)
    throw new ValidationError(field, `is ${bytes} bytes of UTF-8; the limit is ${MAX_KEY_BYTES}`);
  if (CONTROL.test(key)) throw new ValidationError(field, 'contains a control character');
  if (hasLoneSurrogate(key)) throw new ValidationError(field, 'contains a lone surrogate (not valid UTF-8)');
  if (key.startsWith('/')) throw new ValidationError(field, 'must not start with "/"');
  if (key.endsWith('/')) throw new ValidationError(field, 'must not end with "/" (reads as a folder marker)');
  const segments = key.split('/');
  if (segments.some((s) => s === '' || s === '.' || s === '..')) {
    throw new ValidationError(field, 'must not contain empty, "." or ".." path segments');
  }
  // Filesystem-backed servers store a segment as a file name (found by test/fuzz/objects.test.ts).
  const long = segments.find((s) => Buffer.byteLength(s, 'utf8') > MAX_KEY_SEGMENT_BYTES);
  if (long !== undefined) {
    throw new ValidationError(
      field,
      `has a path segment of ${Buffer.byteLength(long, 'utf8')} bytes; the limit is ${MAX_KEY_SEGMENT_BYTES} between "/"`,
    );
  }
}

/** A listing prefix: same characters as a key, may end with "/", may be empty. */
export function validateObjectPrefix(prefix: string, field = 'prefix'): void {
  if (prefix === '') return;
  validateObjectKey(prefix.endsWith('/') ? `${prefix}x` : prefix, field);
}

/** User metadata must survive as HTTP headers: lowercase names, printable ASCII values. */
export function validateMetadata(metadata: Record<string, string> | undefined): Record<string, string> {
  const out: Record<string, string> = {};
  let bytes = 0;
  for (const [name, value] of Object.entries(metadata ?? {})) {
    if (!METADATA_NAME.test(name)) {
      throw new ValidationError(
        `metadata.${name.slice(0, 60)}`,
        'names are lowercase letters, digits and "-"',
      );
    }
    if (name === SHA256_METADATA)
      throw new ValidationError(`metadata.${name}`, 'is reserved for the content hash');
    if (typeof value !== 'string' || !METADATA_VALUE.test(value)) {
      throw new ValidationError(`metadata.${name}`, 'values must be printable ASCII strings');
    }
    // HTTP trims header values, so S3 would hand back " x " as "x": refuse what cannot round-trip.
    if (value !== value.trim()) {
      throw new ValidationError(`metadata.${name}`, 'values may not start or end with a space');
    }
    bytes += name.length + value.length;
    out[name] = value;
  }
  if (bytes > MAX_METADATA_BYTES - 80) {
    throw new ValidationError('metadata', `is ${bytes} bytes; the limit is ${MAX_METADATA_BYTES - 80}`);
  }
  return out;
}

export function validateContentType(contentType: string | undefined): string {
  const value = contentType ?? 'application/octet-stream';
  if (!/^[\x21-\x7e]+\/[\x20-\x7e]+$/.test(value) || value.length > 255) {
    throw new ValidationError('contentType', `"${value.slice(0, 60)}" is not a valid media type`);
  }
  return value;
}

export function validateExpiry(seconds: number): void {
  if (!Number.isInteger(seconds) || seconds < 1 || seconds > 604_800) {
    throw new ValidationError('expiresInSeconds', 'must be an integer 1-604800 (7 days, the SigV4 limit)');
  }
}

/** A UTF-16 string that cannot be encoded as UTF-8 (String#isWellFormed is ES2024). */
function hasLoneSurrogate(value: string): boolean {
  return /\p{Cs}/u.test(value);
}

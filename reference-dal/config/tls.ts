// TLS to a store, as its URL asks for it: `sslmode=` on postgres:// (libpq's modes; PGSSLMODE and
// PGSSLROOTCERT as libpq reads them), `rediss://` for Redis, `https://` for Elasticsearch and S3.
// `sslrootcert=FILE` on any of them trusts a private CA (libpq's name, one spelling for every store;
// `system` = the system's CAs, the default). `sslservername=NAME` is ours: the name to expect on the
// certificate when the URL's host is a proxy in front of the store (the fault proxy adds it). Our
// parameters are removed from the URL handed to a driver, so a driver's own reading of them (pg reads
// sslmode with other semantics, ioredis turns every query parameter into an option) cannot disagree.
import { readFileSync } from 'node:fs';
import { isIP } from 'node:net';
import { checkServerIdentity, type ConnectionOptions } from 'node:tls';
import { ValidationError } from '../errors.ts';

export interface UrlTls {
  /** The URL without the TLS parameters. */
  readonly url: string;
  /** undefined: plaintext. */
  readonly tls: ConnectionOptions | undefined;
}

const PG_MODES = ['disable', 'require', 'verify-ca', 'verify-full'] as const;
/** libpq parameters for client certificates and pg's own switches: refused, not silently ignored. */
const PG_UNSUPPORTED = [
  'sslcert',
  'sslkey',
  'sslpassword',
  'ssl',
  'uselibpqcompat',
  'sslnegotiation',
] as const;
/** libpq's value of sslrootcert for the system's CA store. */
const SYSTEM_CAS = 'system';

function parse(url: string, source: string): URL {
  try {
    return new URL(url);
  } catch (error) {
    throw new ValidationError(source, 'is not an absolute URL', { cause: error });
  }
}

/** The CA bundle in `file`; the error names the URL and the file, never the URL's secrets. */
export function readCaFile(file: string, source: string): Buffer {
  let pem: Buffer;
  try {
    pem = readFileSync(file);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code ?? String(error);
    throw new ValidationError(`${source} sslrootcert`, `cannot read the CA file ${file} (${code})`, {
      cause: error,
    });
  }
  if (!pem.includes('-----BEGIN CERTIFICATE-----'))
    throw new ValidationError(`${source} sslrootcert`, `${file} holds no PEM certificate`);
  return pem;
}

/**
 * Verify the certificate against `name` rather than the URL's host (a proxy's 127.0.0.1): the SNI
 * name too, unless it is an address (RFC 6066 forbids that).
 */
function expectName(name: string | null): ConnectionOptions {
  if (name === null || name === '') return {};
  return {
    ...(isIP(name) === 0 ? { servername: name } : {}),
    checkServerIdentity: (_host, cert) => checkServerIdentity(name, cert),
  };
}

/** The CA option for `sslrootcert`: none for the system's CAs. */
function caOption(caFile: string | null, source: string): { ca?: Buffer } {
  return caFile === null || caFile === SYSTEM_CAS ? {} : { ca: readCaFile(caFile, source) };
}

/**
 * TLS for a postgres:// URL from its `sslmode` and `sslrootcert` (else PGSSLMODE and PGSSLROOTCERT, as
 * libpq reads them), with libpq's meaning of each mode.
 */
export function postgresTls(
  url: string,
  source = 'postgres URL',
  env: NodeJS.ProcessEnv = process.env,
): UrlTls {
  const parsed = parse(url, source);
  for (const name of PG_UNSUPPORTED) {
    if (parsed.searchParams.has(name))
      throw new ValidationError(
        `${source} ${name}`,
        'is not supported (client certificates are not supported yet); use sslmode and sslrootcert',
      );
  }
  const fromEnv = (name: string) => (env[name]?.trim() ? (env[name]?.trim() ?? null) : null);
  const mode = parsed.searchParams.get('sslmode') ?? fromEnv('PGSSLMODE');
  const caFile = parsed.searchParams.get('sslrootcert') ?? fromEnv('PGSSLROOTCERT');
  const servername = parsed.searchParams.get('sslservername');
  if (mode === null && caFile === null && servername === null) return { url, tls: undefined };
  for (const name of ['sslmode', 'sslrootcert', 'sslservername']) parsed.searchParams.delete(name);
  const stripped = parsed.toString();
  // A proxied plaintext URL: the name the proxy recorded has nothing to check.
  if (mode === null && caFile === null) return { url: stripped, tls: undefined };
  if (mode !== null && !(PG_MODES as readonly string[]).includes(mode)) {
    throw new ValidationError(
      `${source} sslmode`,
      `"${mode}" is not supported: use ${PG_MODES.join(', ')} (prefer and allow would fall back to plaintext without saying so)`,
    );
  }
  if (mode === 'disable' && caFile === null) return { url: stripped, tls: undefined };
  if (mode === 'verify-ca' && caFile === null) {
    // The chain against the public CAs without the host name: any public certificate would pass.
    throw new ValidationError(
      `${source} sslmode`,
      'verify-ca needs sslrootcert=FILE (the CA to check against); use verify-full to trust the system CAs',
    );
  }
  if (mode === null || mode === 'disable') {
    throw new ValidationError(
      `${source} sslrootcert`,
      `a CA file is given but sslmode is ${mode ?? 'not set'}: add sslmode=verify-full`,
    );
  }
  const ca = caOption(caFile, source);
  // libpq: `require` only encrypts, unless a root certificate is given (then it checks the chain);
  // sslrootcert=system makes any mode verify-full.
  if (mode === 'require' && caFile === null) return { url: stripped, tls: { rejectUnauthorized: false } };
  const fullCheck = mode === 'verify-full' || caFile === SYSTEM_CAS;
  return {
    url: stripped,
    tls: {
      rejectUnauthorized: true,
      ...ca,
      ...(fullCheck ? expectName(servername) : { checkServerIdentity: () => undefined }),
    },
  };
}

/**
 * TLS for a URL whose scheme decides it (`rediss:`, `https:`): verified against the system's CAs or
 * the `sslrootcert` file. A CA file on a plaintext URL is a mistake, refused.
 */
export function schemeTls(url: string, secure: 'rediss:' | 'https:', source: string): UrlTls {
  const parsed = parse(url, source);
  const caFile = parsed.searchParams.get('sslrootcert');
  const servername = parsed.searchParams.get('sslservername');
  if (caFile === null && servername === null)
    return { url, tls: parsed.protocol === secure ? {} : undefined };
  for (const name of ['sslrootcert', 'sslservername']) parsed.searchParams.delete(name);
  if (parsed.protocol !== secure) {
    // A proxied plaintext URL carries no name to check; a CA file on one is a mistake.
    if (caFile === null) return { url: parsed.toString(), tls: undefined };
    throw new ValidationError(
      `${source} sslrootcert`,
      `a CA file is given but the URL is ${parsed.protocol}//, not ${secure}//`,
    );
  }
  return { url: parsed.toString(), tls: { ...caOption(caFile, source), ...expectName(servername) } };
}

/** OpenSSL's verification failures, as Node reports them on a socket error's `code`. */
const CERT_CODES = new Set([
  'SELF_SIGNED_CERT_IN_CHAIN',
  'DEPTH_ZERO_SELF_SIGNED_CERT',
  'UNABLE_TO_VERIFY_LEAF_SIGNATURE',
  'UNABLE_TO_GET_ISSUER_CERT_LOCALLY',
  'UNABLE_TO_GET_ISSUER_CERT',
  'CERT_HAS_EXPIRED',
  'CERT_NOT_YET_VALID',
  'ERR_TLS_CERT_ALTNAME_INVALID',
]);

/** The same failures as clients that keep only the message report them (the Elasticsearch client). */
const CERT_MESSAGES =
  /self[- ]signed certificate|unable to verify the first certificate|unable to get (local )?issuer certificate|certificate has expired|certificate is not yet valid|does not match certificate's altnames/i;

/**
 * Why a connection failed its certificate check, with the fix, when that is what `error` (or one of
 * its causes, or an AggregateError's members) says; undefined for any other failure.
 */
export function certificateProblem(error: unknown, depth = 0): string | undefined {
  if (depth > 8 || typeof error !== 'object' || error === null) return undefined;
  const { code, message, cause } = error as { code?: unknown; message?: unknown; cause?: unknown };
  if (typeof code === 'string' && CERT_CODES.has(code)) {
    return refused(`${code}: ${String(message)}`);
  }
  if (typeof message === 'string' && CERT_MESSAGES.test(message)) return refused(message);
  const inner = error instanceof AggregateError ? [...(error.errors as unknown[]), cause] : [cause];
  for (const next of inner) {
    const found = certificateProblem(next, depth + 1);
    if (found) return found;
  }
  return undefined;
}

const refused = (why: string) =>
  `the server's TLS certificate was refused (${why}); trust its CA with sslrootcert=FILE in the URL, or fix the host name`;

// A local server's copy of the TLS certificate and key: in its own directory, owned by the run user,
// the key 0600 (PostgreSQL refuses a key others can read), so the caller's files are never chmod'ed.
import { chmodSync, chownSync, copyFileSync } from 'node:fs';
import { join } from 'node:path';
import type { RunUser } from '../run-user.ts';
import type { LocalTls } from './context.ts';

export function serverTlsFiles(tls: LocalTls, dir: string, user: RunUser): { cert: string; key: string } {
  const cert = join(dir, 'server.crt');
  const key = join(dir, 'server.key');
  copyFileSync(tls.certFile, cert);
  copyFileSync(tls.keyFile, key);
  chmodSync(key, 0o600);
  if (user.uid !== undefined && user.gid !== undefined) {
    chownSync(cert, user.uid, user.gid);
    chownSync(key, user.uid, user.gid);
  }
  return { cert, key };
}

/** `url` with the query that asks for verified TLS against the local CA. */
export function withCa(url: string, caFile: string, extra: Readonly<Record<string, string>> = {}): string {
  const parsed = new URL(url);
  for (const [name, value] of Object.entries(extra)) parsed.searchParams.set(name, value);
  parsed.searchParams.set('sslrootcert', caFile);
  return parsed.toString();
}

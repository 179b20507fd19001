// Throwaway PKI for TLS tests, made with openssl: a CA, a server certificate it signed for 127.0.0.1
// and localhost, and a second CA that signed nothing (the "wrong CA" a client must refuse).
import { execFile } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);

export interface TestPki extends AsyncDisposable {
  readonly dir: string;
  readonly caFile: string;
  readonly certFile: string;
  readonly keyFile: string;
  readonly wrongCaFile: string;
  /** A certificate from the same CA for the name `dalbench.test` only (not for 127.0.0.1). */
  readonly namedCertFile: string;
  readonly namedKeyFile: string;
}

/** The only name on namedCertFile. */
export const NAMED_HOST = 'dalbench.test';

async function openssl(dir: string, args: readonly string[]): Promise<void> {
  try {
    await run('openssl', args, { cwd: dir });
  } catch (error) {
    throw new Error(`openssl ${args[0] ?? ''} failed (the TLS tests need the openssl command)`, {
      cause: error,
    });
  }
}

const EC = ['-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes'];

async function selfSignedCa(dir: string, name: string): Promise<void> {
  await openssl(dir, [
    'req',
    '-x509',
    ...EC,
    '-keyout',
    `${name}.key`,
    '-out',
    `${name}.crt`,
    '-days',
    '2',
    '-subj',
    `/CN=${name}`,
  ]);
}

/** A key and a certificate for `subjectAltName` (e.g. "DNS:host"), signed by the test CA: NAME.key, NAME.crt. */
async function signedCert(
  dir: string,
  name: string,
  commonName: string,
  subjectAltName: string,
): Promise<void> {
  await openssl(dir, [
    'req',
    ...EC,
    '-keyout',
    `${name}.key`,
    '-out',
    `${name}.csr`,
    '-subj',
    `/CN=${commonName}`,
  ]);
  await writeFile(path.join(dir, `${name}.cnf`), `subjectAltName=${subjectAltName}\n`);
  await openssl(dir, [
    'x509',
    '-req',
    '-in',
    `${name}.csr`,
    '-CA',
    'dalbench-test-ca.crt',
    '-CAkey',
    'dalbench-test-ca.key',
    '-CAcreateserial',
    '-out',
    `${name}.crt`,
    '-days',
    '2',
    '-extfile',
    `${name}.cnf`,
  ]);
}

export async function makeTestPki(): Promise<TestPki> {
  const dir = await mkdtemp(path.join(tmpdir(), 'dalbench-pki-'));
  try {
    await selfSignedCa(dir, 'dalbench-test-ca');
    await selfSignedCa(dir, 'dalbench-wrong-ca');
    await signedCert(dir, 'server', 'localhost', 'IP:127.0.0.1,DNS:localhost');
    await signedCert(dir, 'named', NAMED_HOST, `DNS:${NAMED_HOST}`);
  } catch (error) {
    await rm(dir, { recursive: true, force: true });
    throw error;
  }
  return {
    dir,
    caFile: path.join(dir, 'dalbench-test-ca.crt'),
    certFile: path.join(dir, 'server.crt'),
    keyFile: path.join(dir, 'server.key'),
    wrongCaFile: path.join(dir, 'dalbench-wrong-ca.crt'),
    namedCertFile: path.join(dir, 'named.crt'),
    namedKeyFile: path.join(dir, 'named.key'),
    [Symbol.asyncDispose]: () => rm(dir, { recursive: true, force: true }),
  };
}

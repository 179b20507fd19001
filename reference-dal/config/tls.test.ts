import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ValidationError } from '../errors.ts';
import { certificateProblem, postgresTls, schemeTls } from './tls.ts';

let dir: string;
let ca: string;
const PEM = '-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n';

beforeAll(async () => {
  dir = await mkdtemp(path.join(tmpdir(), 'dalbench-tls-unit-'));
  ca = path.join(dir, 'ca.pem');
  await writeFile(ca, PEM);
});
afterAll(() => rm(dir, { recursive: true, force: true }));

const pgUrl = (query: string) => `postgres://u:secret@db.example:5432/app${query}`;

describe('postgresTls: libpq sslmode and sslrootcert', () => {
  it('no TLS parameters: the URL unchanged, plaintext', () => {
    expect(postgresTls(pgUrl('?application_name=x'))).toEqual({
      url: pgUrl('?application_name=x'),
      tls: undefined,
    });
  });

  it('verify-full checks the chain and the host name; the parameters leave the URL, others stay', () => {
    const { url, tls } = postgresTls(pgUrl(`?sslmode=verify-full&sslrootcert=${ca}&application_name=x`));
    expect(url).toBe(pgUrl('?application_name=x'));
    expect(tls?.rejectUnauthorized).toBe(true);
    expect(tls?.ca?.toString()).toBe(PEM);
    expect(tls?.checkServerIdentity).toBeUndefined();
  });

  it('verify-ca checks the chain, not the host name', () => {
    const { tls } = postgresTls(pgUrl(`?sslmode=verify-ca&sslrootcert=${ca}`));
    expect(tls?.rejectUnauthorized).toBe(true);
    expect(tls?.ca?.toString()).toBe(PEM);
    expect(tls?.checkServerIdentity?.('other.host', {} as never)).toBeUndefined();
  });

  it('require only encrypts, unless a root certificate is given (then the chain is checked, as libpq does)', () => {
    expect(postgresTls(pgUrl('?sslmode=require')).tls).toEqual({ rejectUnauthorized: false });
    const withCa = postgresTls(pgUrl(`?sslmode=require&sslrootcert=${ca}`)).tls;
    expect(withCa?.rejectUnauthorized).toBe(true);
    expect(withCa?.checkServerIdentity).toBeTypeOf('function');
  });

  it('disable is plaintext; a CA file without TLS is a mistake', () => {
    expect(postgresTls(pgUrl('?sslmode=disable'))).toEqual({ url: pgUrl(''), tls: undefined });
    expect(() => postgresTls(pgUrl(`?sslmode=disable&sslrootcert=${ca}`))).toThrow(/sslmode is disable/);
    expect(() => postgresTls(pgUrl(`?sslrootcert=${ca}`))).toThrow(
      /sslmode is not set: add sslmode=verify-full/,
    );
  });

  it('verify-ca without a CA file is refused (any public certificate would pass it)', () => {
    expect(() => postgresTls(pgUrl('?sslmode=verify-ca'))).toThrow(/verify-ca needs sslrootcert=FILE/);
  });

  it('sslrootcert=system trusts the system CAs and checks the host name whatever the mode', () => {
    const { tls } = postgresTls(pgUrl('?sslmode=require&sslrootcert=system'));
    expect(tls).toEqual({ rejectUnauthorized: true });
  });

  it('PGSSLMODE and PGSSLROOTCERT apply when the URL says nothing, as in libpq; the URL wins', () => {
    const env = { PGSSLMODE: 'verify-full', PGSSLROOTCERT: ca };
    expect(postgresTls(pgUrl(''), 'u', env).tls?.ca?.toString()).toBe(PEM);
    expect(postgresTls(pgUrl('?sslmode=disable'), 'u', { PGSSLMODE: 'verify-full' }).tls).toBeUndefined();
    expect(() => postgresTls(pgUrl(''), 'u', { PGSSLMODE: 'prefer' })).toThrow(/"prefer" is not supported/);
  });

  it('sslservername: the certificate is checked against that name, not the host in the URL', () => {
    const { url, tls } = postgresTls(
      pgUrl(`?sslmode=verify-full&sslservername=db.internal&sslrootcert=${ca}`),
    );
    expect(url).toBe(pgUrl(''));
    expect(tls?.servername).toBe('db.internal');
    const cert = { subject: { CN: 'db.internal' }, subjectaltname: 'DNS:db.internal' } as never;
    expect(tls?.checkServerIdentity?.('127.0.0.1', cert)).toBeUndefined();
    const other = { subject: { CN: 'other' }, subjectaltname: 'DNS:other.host' } as never;
    expect(tls?.checkServerIdentity?.('127.0.0.1', other)).toBeInstanceOf(Error);
    // On a plaintext URL it is only removed.
    expect(postgresTls(pgUrl('?sslservername=db.internal'), 'u', {})).toEqual({
      url: pgUrl(''),
      tls: undefined,
    });
  });

  it.each(['prefer', 'allow', 'VERIFY-FULL', ''])('sslmode=%s is refused, naming the modes', (mode) => {
    expect(() => postgresTls(pgUrl(`?sslmode=${mode}`), 'DALBENCH_POSTGRES_URL')).toThrow(
      'DALBENCH_POSTGRES_URL sslmode: ',
    );
  });

  it.each(['sslcert', 'sslkey', 'sslpassword', 'ssl', 'uselibpqcompat', 'sslnegotiation'])(
    '%s= is refused, not ignored',
    (name) => {
      expect(() => postgresTls(pgUrl(`?${name}=x`))).toThrow(ValidationError);
      expect(() => postgresTls(pgUrl(`?${name}=x`))).toThrow(`${name}: is not supported`);
    },
  );

  it('a CA file that is missing or holds no certificate is named, the password never', () => {
    const missing = () => postgresTls(pgUrl('?sslmode=verify-full&sslrootcert=/nope/ca.pem'));
    expect(missing).toThrow('sslrootcert: cannot read the CA file /nope/ca.pem (ENOENT)');
    expect(missing).not.toThrow(/secret/);
    expect(() => postgresTls(pgUrl(`?sslmode=verify-full&sslrootcert=${dir}`))).toThrow(/EISDIR/);
  });
});

describe('schemeTls: rediss:// and https://', () => {
  it('the scheme decides: TLS with the system CAs, or plaintext', () => {
    expect(schemeTls('rediss://h:6380', 'rediss:', 'r')).toEqual({ url: 'rediss://h:6380', tls: {} });
    expect(schemeTls('redis://h:6379', 'rediss:', 'r')).toEqual({ url: 'redis://h:6379', tls: undefined });
    expect(schemeTls('https://h/', 'https:', 'e').tls).toEqual({});
  });

  it('sslrootcert is read and removed from the URL', () => {
    const { url, tls } = schemeTls(`https://k:s@h:9443/?region=eu-west-1&sslrootcert=${ca}`, 'https:', 's3');
    expect(url).toBe('https://k:s@h:9443/?region=eu-west-1');
    expect(tls?.ca?.toString()).toBe(PEM);
  });

  it('sslservername sets the name checked (and SNI, unless it is an address); a plaintext URL drops it', () => {
    expect(
      schemeTls('rediss://127.0.0.1:1/?sslservername=cache.internal', 'rediss:', 'r').tls?.servername,
    ).toBe('cache.internal');
    const byAddress = schemeTls('https://127.0.0.1:1/?sslservername=10.0.0.5', 'https:', 'e').tls;
    expect(byAddress?.servername).toBeUndefined();
    expect(byAddress?.checkServerIdentity).toBeTypeOf('function');
    expect(schemeTls('http://127.0.0.1:1/?sslservername=es.internal', 'https:', 'e')).toEqual({
      url: 'http://127.0.0.1:1/',
      tls: undefined,
    });
  });

  it('a CA file on a plaintext URL is refused', () => {
    expect(() => schemeTls(`http://h/?sslrootcert=${ca}`, 'https:', 'ES')).toThrow(
      'ES sslrootcert: a CA file is given but the URL is http://, not https://',
    );
  });
});

describe('certificateProblem', () => {
  const tlsError = Object.assign(new Error('self-signed certificate in certificate chain'), {
    code: 'SELF_SIGNED_CERT_IN_CHAIN',
  });

  it('finds a certificate failure by code, in causes and aggregate members, and says how to fix it', () => {
    expect(certificateProblem(tlsError)).toMatch(
      /^the server's TLS certificate was refused \(SELF_SIGNED_CERT_IN_CHAIN: /,
    );
    expect(
      certificateProblem(new Error('outer', { cause: new Error('mid', { cause: tlsError }) })),
    ).toContain('sslrootcert=FILE');
    expect(certificateProblem(new AggregateError([new Error('ECONNREFUSED'), tlsError]))).toBeDefined();
  });

  it('finds it by message when a client kept only the message', () => {
    expect(certificateProblem(new Error('unable to verify the first certificate'))).toContain(
      '(unable to verify the first certificate)',
    );
  });

  it('says nothing of other failures', () => {
    expect(
      certificateProblem(Object.assign(new Error('connect ECONNREFUSED'), { code: 'ECONNREFUSED' })),
    ).toBeUndefined();
    expect(certificateProblem('self-signed certificate')).toBeUndefined();
    expect(certificateProblem(undefined)).toBeUndefined();
  });
});

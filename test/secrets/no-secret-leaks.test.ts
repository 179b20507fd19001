// Store passwords, S3 secret keys and Elasticsearch API keys never reach an output: the real CLI runs in external mode against
// the test run's stores with known secrets in every URL form the stores accept — one run as a child
// process (what drivers print on the process's own streams is caught too), the other commands in
// process with this process's streams and console captured — and every stream and every file it
// writes is searched for each secret: raw, URL-encoded, and as base64 of `user:secret` (HTTP Basic).
// Not searched: the state file of `stores up` (mode 0600), which holds the URLs so that `status` and
// `down` in other processes can reach the stores.
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { format } from 'node:util';
import { describe, expect, it } from 'vitest';
import { main } from '../../harness/cli/main.ts';
import { freePort } from '../../harness/provision/free-port.ts';
import type { StoreKind } from '../../harness/provision/provisioner.ts';
import { captureIo } from '../support/capture-io.ts';
import { externalStoresEnv, quickRunArgs } from '../support/external-run.ts';
import { requireStore, storeEndpoint } from '../support/stores.ts';

const BIN = fileURLToPath(new URL('../../bin/dalbench.js', import.meta.url));

/** One secret and the ways it could show up in text. */
interface Secret {
  readonly label: string;
  readonly forms: readonly { readonly form: string; readonly text: string }[];
}

function secret(label: string, raw: string, user?: string): Secret {
  const forms = [
    { form: 'raw', text: raw },
    { form: 'URL-encoded', text: encodeURIComponent(raw) },
    // What new URL() puts in .password: special characters percent-encoded, some left as they are.
    { form: 'URL userinfo', text: userinfoEncoded(raw) },
  ];
  if (user !== undefined)
    forms.push({ form: 'HTTP Basic', text: Buffer.from(`${user}:${raw}`).toString('base64') });
  const unique = forms.filter((f, i) => forms.findIndex((g) => g.text === f.text) === i);
  return { label, forms: unique };
}

function userinfoEncoded(raw: string): string {
  const url = new URL('http://host');
  url.password = raw;
  return url.password;
}

/** A known secret that no output could contain by chance; special characters test the encoding. */
const invent = (name: string) => `${name}-${randomBytes(6).toString('hex')}/p@ss:w%rd`;

interface Output {
  readonly name: string;
  readonly code: number | null;
  readonly stdout: string;
  readonly stderr: string;
}

/** `node bin/dalbench.js …` with `env`; resolves on exit with everything it printed. */
function dalbench(
  name: string,
  args: readonly string[],
  env: NodeJS.ProcessEnv,
  cwd: string,
  whileUp?: { readonly ready: string; readonly then: () => Promise<unknown> },
): Promise<Output> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [BIN, ...args], { cwd, env, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    const timer = setTimeout(() => child.kill('SIGKILL'), 60_000);
    let readySeen = false;
    child.stdout.on('data', (chunk: Buffer) => {
      stdout += chunk.toString();
      // A foreground command (`stores up`): once ready, do what needs it up, then stop it (Ctrl-C).
      if (whileUp && !readySeen && stdout.includes(whileUp.ready)) {
        readySeen = true;
        whileUp.then().then(
          () => child.kill('SIGINT'),
          (error: unknown) => {
            child.kill('SIGKILL');
            reject(error instanceof Error ? error : new Error(String(error)));
          },
        );
      }
    });
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    child.on('error', reject);
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ name, code, stdout, stderr });
    });
  });
}

/**
 * `dalbench …` in this process (no start-up cost), with its io captured and, for as long as it runs,
 * whatever anything else writes to this process's streams or console (a driver's own warnings).
 */
async function dalbenchInProcess(
  name: string,
  args: readonly string[],
  env: NodeJS.ProcessEnv,
): Promise<Output> {
  const io = captureIo(env);
  let stray = '';
  const collect = (...values: unknown[]) => void (stray += `${format(...values)}\n`);
  const streams = [process.stdout, process.stderr];
  // Restored as they were: an own property (a test runner's patch) or the prototype's method.
  const writes = streams.map((stream) => Object.getOwnPropertyDescriptor(stream, 'write'));
  const consoles = { ...console };
  const write = (chunk: unknown) => {
    stray += typeof chunk === 'string' ? chunk : Buffer.from(chunk as Uint8Array).toString();
    return true;
  };
  for (const stream of streams)
    Object.defineProperty(stream, 'write', { value: write, configurable: true, writable: true });
  Object.assign(console, { log: collect, info: collect, warn: collect, error: collect, debug: collect });
  try {
    const code = await main(args, io);
    return { name, code, stdout: io.stdout, stderr: `${io.stderr}${stray}` };
  } finally {
    streams.forEach((stream, i) => {
      const original = writes[i];
      if (original) Object.defineProperty(stream, 'write', original);
      else Reflect.deleteProperty(stream, 'write');
    });
    Object.assign(console, consoles);
  }
}

async function filesUnder(dir: string): Promise<string[]> {
  const entries = await readdir(dir, { withFileTypes: true, recursive: true });
  return entries.filter((e) => e.isFile()).map((e) => path.join(e.parentPath, e.name));
}

/** Every place a secret shows up, each with the text around it (every secret in it masked). */
function leaks(source: string, text: string, secrets: readonly Secret[]): string[] {
  const mask = (snippet: string) =>
    secrets.reduce(
      (masked, s) => s.forms.reduce((m, f) => m.split(f.text).join(`<${s.label}>`), masked),
      snippet,
    );
  const found: string[] = [];
  for (const s of secrets) {
    for (const { form, text: needle } of s.forms) {
      for (let at = text.indexOf(needle); at !== -1; at = text.indexOf(needle, at + needle.length)) {
        const around = text.slice(Math.max(0, at - 80), at + needle.length + 80);
        found.push(`${source}: ${s.label} (${form}) at offset ${at}: …${mask(around)}…`.replace(/\s+/g, ' '));
      }
    }
  }
  return found;
}

/** The URL with `password` set (kept when it has one: a real one, e.g. docker's, is a secret too). */
function withPassword(url: string, password: string, username?: string): string {
  const parsed = new URL(url);
  if (username !== undefined && !parsed.username) parsed.username = username;
  parsed.password = encodeURIComponent(password);
  return parsed.toString();
}

/** The URL with an Elasticsearch API key (`?api_key=`) in place of any user and password. */
function withApiKey(url: string, apiKey: string): string {
  const parsed = new URL(url);
  parsed.username = '';
  parsed.password = '';
  parsed.searchParams.set('api_key', apiKey);
  return parsed.toString();
}

/** The same URL with the password moved to `?password=` (node-postgres and ioredis read it there). */
function passwordInQuery(url: string, password: string): string {
  const parsed = new URL(url);
  parsed.password = '';
  parsed.searchParams.set('password', password);
  return parsed.toString();
}

const decodedPassword = (url: string) => decodeURIComponent(new URL(url).password);

describe('secrets never leak into outputs', () => {
  it('run (--json and text), reports, check, compare, stores and error paths print no store secret', async () => {
    const postgres = requireStore('postgres').url;
    const redis = requireStore('redis').url;
    const elasticsearch = requireStore('elasticsearch').url;
    const s3 = requireStore('s3').url;
    const timescale = storeEndpoint('timescaledb')?.url;

    // The local servers trust any password (PostgreSQL trust auth, Redis without requirepass,
    // Elasticsearch without security); a store that has a real password keeps it and it is searched for.
    const pgSecret = decodedPassword(postgres) || invent('pg');
    const tsSecret = timescale ? decodedPassword(timescale) || invent('ts') : undefined;
    const redisSecret = decodedPassword(redis) || invent('redis');
    const esSecret = decodedPassword(elasticsearch) || invent('es');
    const esUser = decodeURIComponent(new URL(elasticsearch).username) || 'elastic';
    // An API key in its encoded form (base64 of id:key); Elasticsearch without security ignores it.
    const esApiKey = Buffer.from(`dalbench-id:${invent('esapikey')}`).toString('base64');
    // S3 checks signatures: its secret is real, and it is the one that most matters.
    const s3Secret = decodedPassword(s3);
    const s3User = decodeURIComponent(new URL(s3).username);
    expect(s3Secret, 'the S3 URL carries its secret key in the userinfo').not.toBe('');
    const wrongS3Secret = invent('s3wrong');

    const secrets = [
      secret('postgres password', pgSecret, decodeURIComponent(new URL(postgres).username)),
      secret('redis password', redisSecret, 'default'),
      secret('elasticsearch password', esSecret, esUser),
      secret('elasticsearch API key', esApiKey),
      secret('S3 secret key', s3Secret, s3User),
      secret('wrong S3 secret key', wrongS3Secret, s3User),
      ...(tsSecret ? [secret('timescaledb password', tsSecret)] : []),
    ];

    // Two URL sets, so every form is used by a full run: userinfo in one, query string or a named
    // user in the other.
    const urlsA: Partial<Record<StoreKind, string>> = {
      postgres: withPassword(postgres, pgSecret),
      redis: withPassword(redis, redisSecret), // redis://:SECRET@host
      elasticsearch: withPassword(elasticsearch, esSecret, esUser),
      s3,
      ...(timescale && tsSecret ? { timescaledb: passwordInQuery(timescale, tsSecret) } : {}),
    };
    const urlsB: Partial<Record<StoreKind, string>> = {
      postgres: passwordInQuery(postgres, pgSecret),
      redis: withPassword(redis, redisSecret, 'default'), // redis://default:SECRET@host
      elasticsearch: withApiKey(elasticsearch, esApiKey),
      s3,
      ...(timescale && tsSecret ? { timescaledb: withPassword(timescale, tsSecret) } : {}),
    };
    const envWith = externalStoresEnv;
    // A port nothing listens on (a just-freed one: fetch refuses low ports such as 1 before connecting).
    const closedPort = String(await freePort());
    const unreachable = (url: string) => {
      const parsed = new URL(url);
      parsed.port = closedPort;
      return parsed.toString();
    };

    const dir = await mkdtemp(path.join(tmpdir(), 'dalbench-secrets-'));
    const stateDir = await mkdtemp(path.join(tmpdir(), 'dalbench-secrets-state-'));
    const out = (name: string) => path.join(dir, name);
    try {
      const runArgs = (name: string) => quickRunArgs(out(name), ['--budgets', 'adr-024']);
      // One failing run per store, the secret in its URL: the error chain is printed.
      const failing: [string, Partial<Record<StoreKind, string>>][] = [
        ['postgres', { ...urlsA, postgres: unreachable(urlsA.postgres!) }],
        ['postgres ?password=', { ...urlsB, postgres: unreachable(urlsB.postgres!) }],
        ['redis', { ...urlsA, redis: unreachable(urlsA.redis!) }],
        ['elasticsearch', { ...urlsA, elasticsearch: unreachable(urlsA.elasticsearch!) }],
        ['s3 unreachable', { ...urlsA, s3: unreachable(s3) }],
        ['s3 wrong secret', { ...urlsA, s3: withPassword(s3, wrongS3Secret) }],
      ];

      const errors: Output[] = [];
      for (const [store, urls] of failing) {
        const name = `run with ${store} failing`;
        errors.push(
          await dalbenchInProcess(name, runArgs(`error-${store.replace(/\W+/g, '-')}`), envWith(urls)),
        );
      }
      for (const r of errors) expect(r.code, `${r.name}: ${r.stdout}${r.stderr}`).toBe(2);

      // One run as a child process (what drivers print on its own streams is caught too), one in process.
      // Budgets may breach on a loaded machine (exit 1): that is not what this test is about.
      const ran = [
        await dalbench('run --json', [...runArgs('a'), '--json'], envWith(urlsA), dir),
        await dalbenchInProcess('run', runArgs('b'), envWith(urlsB)),
      ];
      for (const r of ran) expect([0, 1], `${r.name}: ${r.stderr}`).toContain(r.code);

      const resultsA = path.join(out('a'), 'results.json');
      const resultsB = path.join(out('b'), 'results.json');
      const env = envWith(urlsA);
      const rendered = [
        await dalbenchInProcess('compare', ['compare', resultsA, resultsB, '--out', out('compare')], env),
        await dalbenchInProcess(
          'check',
          ['check', resultsB, '--budgets', 'adr-024', '--out', out('check')],
          env,
        ),
        await dalbenchInProcess('report', ['report', resultsA, '--out', out('report')], env),
      ];
      for (const r of rendered) expect([0, 1], `${r.name}: ${r.stderr}`).toContain(r.code);

      // `stores up` in external mode, `stores status` while it is up, then Ctrl-C.
      const stateFile = path.join(stateDir, 'stores.json');
      let status: Output | undefined;
      const up = await dalbench(
        'stores up',
        ['stores', 'up', '--stores', 'external', '--state-file', stateFile],
        env,
        dir,
        {
          ready: '# stores stay up',
          then: async () => {
            status = await dalbenchInProcess(
              'stores status',
              ['stores', 'status', '--state-file', stateFile],
              env,
            );
          },
        },
      );
      expect(status?.code, `stores status: ${status?.stdout}${status?.stderr}`).toBe(0);
      expect(up.code, `stores up: ${up.stdout}${up.stderr}`).toBe(0);
      const stores = [up, status!];

      const found: string[] = [];
      for (const r of [...ran, ...rendered, ...errors, ...stores]) {
        found.push(...leaks(`${r.name}: stdout`, r.stdout, secrets));
        found.push(...leaks(`${r.name}: stderr`, r.stderr, secrets));
      }
      const files = await filesUnder(dir);
      expect(files.map((f) => path.relative(dir, f))).toEqual(
        expect.arrayContaining([
          ...['a', 'b', 'check', 'report'].flatMap((d) =>
            ['report.html', 'summary.md', 'junit.xml'].map((f) => `${d}/${f}`),
          ),
          'a/results.json',
          'b/results.json',
          'compare/compare.md',
          'compare/compare.html',
        ]),
      );
      for (const file of files) {
        found.push(...leaks(path.relative(dir, file), await readFile(file, 'utf8'), secrets));
      }
      expect(found, `secrets leaked:\n${found.join('\n')}`).toEqual([]);
      // The error path really printed the cause chain, else there was nothing to search.
      for (const r of errors) expect(r.stderr, r.name).toMatch(/did not answer\n {2}caused by: \S/);
      expect(errors.map((r) => r.stderr).join('\n')).toMatch(/ECONNREFUSED/);
    } finally {
      await rm(dir, { recursive: true, force: true });
      await rm(stateDir, { recursive: true, force: true });
    }
  }, 120_000);
});

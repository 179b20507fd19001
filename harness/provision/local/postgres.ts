// A throwaway PostgreSQL: initdb into the run dir, `postgres` as a child (as the run user when we are root).
// When TimescaleDB is installed for that PostgreSQL it is preloaded, so the same server also serves the
// `timescaledb` kind (as docker mode's TimescaleDB container does); the extension itself is created only in
// the databases that use it.
import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { ProvisionError } from '../errors.ts';
import { runCommand } from '../run-command.ts';
import { makeOwnedDir } from '../run-user.ts';
import { postgresVersion } from '../server-version.ts';
import { ServerProcess } from '../server-process.ts';
import { memoryNote, postgresMemorySettings, type StoreMemory } from '../store-memory.ts';
import { startLocalStore, type LocalContext, type LocalStore } from './context.ts';
import { serverTlsFiles, withCa } from './tls-files.ts';
import {
  detectTimescale,
  howToGetTimescale,
  postgresDirs,
  type TimescaleDetection,
} from './timescale-detect.ts';

const BENCH_SETTINGS = ['fsync=off', 'synchronous_commit=off', 'full_page_writes=off'] as const;

/**
 * With TimescaleDB: its loader preloaded, no telemetry, and worker slots of its own, so its background
 * workers (job scheduler, policies) do not take the 8 that parallel query has on a plain server.
 */
const TIMESCALE_SETTINGS = [
  'shared_preload_libraries=timescaledb',
  'timescaledb.telemetry_level=off',
  'timescaledb.max_background_workers=8',
  'max_worker_processes=16',
] as const;

export interface LocalPostgres extends LocalStore {
  /** Whether this server has TimescaleDB (preloaded), or why not. */
  readonly timescale: TimescaleDetection;
  /**
   * The shared_buffers/work_mem of every later (re)launch; the running server keeps its own until it is
   * restarted (PostgreSQL reads shared_buffers only at start).
   */
  readonly setMemory: (postgres: StoreMemory['postgres']) => void;
}

/** The newest PostgreSQL bin dir holding initdb and postgres: pg_config's, else /usr/lib/postgresql/N/bin. */
export async function findPostgresBinDir(): Promise<string | undefined> {
  const candidates: string[] = [];
  try {
    candidates.push((await runCommand('pg_config', ['--bindir'])).trim());
  } catch {
    // no pg_config: look in Debian's layout
  }
  try {
    const versions = readdirSync('/usr/lib/postgresql')
      .filter((name) => /^\d+$/.test(name))
      .sort((a, b) => Number(b) - Number(a));
    candidates.push(...versions.map((v) => `/usr/lib/postgresql/${v}/bin`));
  } catch {
    // not Debian-like
  }
  const usable = candidates.filter(
    (dir) => existsSync(join(dir, 'initdb')) && existsSync(join(dir, 'postgres')),
  );
  // pg_config may belong to an older client package: prefer the highest major among the usable dirs.
  return usable.sort((a, b) => majorOf(b) - majorOf(a))[0];
}

function majorOf(binDir: string): number {
  return Number(/postgresql\/(\d+)\//.exec(binDir)?.[1] ?? 0);
}

/**
 * TimescaleDB for the PostgreSQL local mode would start (`binDir`, default the one found), without starting
 * it; undefined when there is no PostgreSQL.
 */
export async function detectLocalTimescale(binDir?: string): Promise<TimescaleDetection | undefined> {
  const dir = binDir ?? (await findPostgresBinDir());
  return dir ? detectTimescale(await postgresDirs(dir)) : undefined;
}

/** Start PostgreSQL from `givenBinDir`, or from the newest installed one (installed with apt when missing). */
export async function startLocalPostgres(ctx: LocalContext, givenBinDir?: string): Promise<LocalPostgres> {
  if (givenBinDir !== undefined && !['initdb', 'postgres'].every((b) => existsSync(join(givenBinDir, b))))
    throw new ProvisionError('postgres', `${givenBinDir} holds no initdb and postgres binaries`);
  let binDir = givenBinDir ?? (await findPostgresBinDir());
  if (!binDir) {
    await ctx.apt.install('postgres', 'postgresql');
    binDir = await findPostgresBinDir();
    if (!binDir)
      throw new ProvisionError('postgres', 'installed `postgresql` but found no initdb/postgres binaries');
  }
  const timescale = detectTimescale(await postgresDirs(binDir));
  ctx.log(
    timescale.installed
      ? `postgres: TimescaleDB ${timescale.version} is installed (${timescale.dirs.pkglibdir}${timescale.tsl ? '' : ', Apache-only build: no compression or continuous aggregates'}), preloading it`
      : `postgres: ${timescale.reason.split(';')[0]}`,
  );
  const home = makeOwnedDir(ctx.runDir.file('postgres'), ctx.user);
  const dataDir = join(home, 'data');
  const logFile = ctx.runDir.file('postgres.log');
  const asUser = { uid: ctx.user.uid, gid: ctx.user.gid, cwd: home, env: { ...process.env, LC_ALL: 'C' } };
  ctx.log(`postgres: initdb (${binDir}) as ${ctx.user.name}`);
  await runCommand(
    join(binDir, 'initdb'),
    ['-D', dataDir, '--auth=trust', '-U', 'postgres', '-E', 'UTF8', '--no-locale'],
    {
      ...asUser,
      signal: ctx.signal,
    },
  ).catch((error: unknown) => {
    throw new ProvisionError('postgres', 'initdb failed', { cause: error });
  });
  const port = await ctx.serverPort('postgres');
  const plainUrl = `postgres://postgres@127.0.0.1:${port}/postgres`;
  const tls = ctx.tls ? tlsOnly(ctx, home, dataDir) : undefined;
  const url = ctx.tls ? withCa(plainUrl, ctx.tls.caFile, { sslmode: 'verify-full' }) : plainUrl;
  const durability = `benchmark instance: ${BENCH_SETTINGS.join(' ')} (not durable)`;
  let memory = ctx.memory;
  const setMemory = (postgres: StoreMemory['postgres']) => void (memory = { ...memory, postgres });
  const launchWith = (plainSettings: readonly string[], plainNotes: readonly string[]) => {
    const notes = [...plainNotes, memoryNote('postgres', ctx.memory), ...(tls ? [tls.note] : [])];
    let last: ServerProcess | undefined;
    const started = startLocalStore(ctx, 'postgres', url, notes, async () => {
      // Read at each launch: a relaunch after setMemory starts with the new sizes.
      const settings = [...plainSettings, ...postgresMemorySettings(memory), ...(tls?.settings ?? [])];
      last = await ServerProcess.spawn({
        store: 'postgres',
        command: join(binDir, 'postgres'),
        args: [
          '-D',
          dataDir,
          '-p',
          String(port),
          '-c',
          'listen_addresses=127.0.0.1',
          '-k',
          home,
          ...settings.flatMap((setting) => ['-c', setting]),
        ],
        logFile,
        stopSignal: 'SIGINT', // fast shutdown; SIGTERM would wait for every client to disconnect
        ...asUser,
      });
      return { server: last, logFile, probe: () => postgresVersion(url), defaultTimeoutMs: 30_000 };
    });
    return { started, stopLast: () => last?.stop(5_000) };
  };
  if (!timescale.installed)
    return { ...(await launchWith(BENCH_SETTINGS, [durability]).started), timescale, setMemory };

  // A broken TimescaleDB install (a library built for another PostgreSQL, a missing dependency) must not
  // cost the user PostgreSQL: start again without it, and say why the timescaledb kind is unavailable.
  const preloaded = launchWith(
    [...BENCH_SETTINGS, ...TIMESCALE_SETTINGS],
    [durability, `TimescaleDB ${timescale.version} preloaded: ${TIMESCALE_SETTINGS.join(' ')}`],
  );
  try {
    return { ...(await preloaded.started), timescale, setMemory };
  } catch (error) {
    if (ctx.signal?.aborted) throw error;
    await preloaded.stopLast();
    const why = (error instanceof Error ? error.message : String(error)).split('\n').slice(0, 3).join(' ');
    const major = timescale.dirs.major;
    const reason = `timescaledb ${timescale.version} is installed for PostgreSQL ${major ?? '(unknown version)'} at ${timescale.dirs.pkglibdir}, but PostgreSQL did not start with it preloaded (${why}), so postgres runs without it; ${howToGetTimescale(major)}`;
    ctx.log(`postgres: ${reason.split('; ')[0]}`);
    return {
      ...(await launchWith(BENCH_SETTINGS, [durability]).started),
      timescale: { installed: false, reason, dirs: timescale.dirs },
      setMemory,
    };
  }
}

/** TLS only: the certificate in the server's home, and pg_hba's `host` lines made `hostssl`. */
function tlsOnly(ctx: LocalContext, home: string, dataDir: string): { settings: string[]; note: string } {
  const files = serverTlsFiles(ctx.tls as NonNullable<LocalContext['tls']>, home, ctx.user);
  const hba = join(dataDir, 'pg_hba.conf');
  writeFileSync(hba, readFileSync(hba, 'utf8').replace(/^host(\s)/gm, 'hostssl$1'));
  return {
    settings: ['ssl=on', `ssl_cert_file=${files.cert}`, `ssl_key_file=${files.key}`],
    note: 'TLS only (hostssl), certificate from the caller',
  };
}

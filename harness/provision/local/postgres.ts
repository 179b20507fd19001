// A throwaway PostgreSQL: initdb into the run dir, `postgres` as a child (as the run user when we are root).
import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { ProvisionError } from '../errors.ts';
import { freePort } from '../free-port.ts';
import { runCommand } from '../run-command.ts';
import { makeOwnedDir } from '../run-user.ts';
import { postgresVersion } from '../server-version.ts';
import { ServerProcess } from '../server-process.ts';
import { startLocalStore, type LocalContext, type LocalStore } from './context.ts';

const BENCH_SETTINGS = ['fsync=off', 'synchronous_commit=off', 'full_page_writes=off'] as const;

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

export async function startLocalPostgres(ctx: LocalContext): Promise<LocalStore> {
  let binDir = await findPostgresBinDir();
  if (!binDir) {
    await ctx.apt.install('postgres', 'postgresql');
    binDir = await findPostgresBinDir();
    if (!binDir)
      throw new ProvisionError('postgres', 'installed `postgresql` but found no initdb/postgres binaries');
  }
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
  const port = await freePort();
  const url = `postgres://postgres@127.0.0.1:${port}/postgres`;
  return startLocalStore(
    ctx,
    'postgres',
    url,
    [`benchmark instance: ${BENCH_SETTINGS.join(' ')} (not durable)`],
    async () => {
      const server = await ServerProcess.spawn({
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
          ...BENCH_SETTINGS.flatMap((setting) => ['-c', setting]),
        ],
        logFile,
        stopSignal: 'SIGINT', // fast shutdown; SIGTERM would wait for every client to disconnect
        ...asUser,
      });
      return { server, logFile, probe: () => postgresVersion(url), defaultTimeoutMs: 30_000 };
    },
  );
}

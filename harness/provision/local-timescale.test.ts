// Local mode and TimescaleDB, against the PostgreSQL local mode really starts: where TimescaleDB is
// installed for it, the provisioner preloads it and serves the timescaledb kind from the same server (a
// real hypertable is made through that endpoint); where it is not, timescaledb is unavailable with a
// reason that says what is missing and how to get it. One of the two suites runs on any machine, the
// other is skipped with the reason in its title (CI has no TimescaleDB; a PATH whose pg_config belongs
// to a PostgreSQL with TimescaleDB selects the installed case). A third suite, on any machine with a
// Debian-layout PostgreSQL, gives the provisioner a copy of that installation with a TimescaleDB that
// cannot load: PostgreSQL still comes up, without it, and timescaledb says why.
import { randomBytes } from 'node:crypto';
import {
  chmodSync,
  copyFileSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  rmSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { describe, expect, it } from 'vitest';
import { TimescaleTimeSeriesRepository } from '../../reference-dal/backends/timescaledb/time-series-repository.ts';
import { createProfileDatabase } from '../../reference-dal/profiles/profile-databases.ts';
import { detectLocalTimescale, findPostgresBinDir } from './local/postgres.ts';
import { postgresDirs } from './local/timescale-detect.ts';
import { LocalProvisioner } from './local-provisioner.ts';
import { isAlive } from './process-alive.ts';

const detected = await detectLocalTimescale();
const installed = detected?.installed === true;
const version = detected?.installed ? detected.version : undefined;
const notInstalledWhy = detected?.installed ? undefined : (detected?.reason ?? 'no local PostgreSQL');

async function query<R extends pg.QueryResultRow>(url: string, sql: string): Promise<R[]> {
  const client = new pg.Client({ connectionString: url, connectionTimeoutMillis: 5_000 });
  await client.connect();
  try {
    return (await client.query<R>(sql)).rows;
  } finally {
    await client.end();
  }
}

describe.skipIf(!installed)(
  `local mode with TimescaleDB installed${installed ? ` (${version} in ${detected?.dirs.pkglibdir})` : ` (skipped: ${notInstalledWhy?.split(';')[0]})`}`,
  () => {
    it('preloads it and serves timescaledb from the postgres server: a real hypertable, also after a restart', async () => {
      const lines: string[] = [];
      const stores = await new LocalProvisioner().start({
        kinds: ['postgres', 'timescaledb'],
        log: (line) => lines.push(line),
      });
      const pid = stores.pids.postgres;
      try {
        expect(stores.unavailable).toEqual({});
        const postgres = stores.endpoints.postgres!;
        const timescale = stores.endpoints.timescaledb!;
        expect(timescale.url).toBe(postgres.url);
        expect(timescale.mode).toBe('local');
        expect(timescale.serverVersion).toBe(
          `TimescaleDB ${version} on ${postgres.serverVersion}`, // e.g. TimescaleDB 2.28.3 on PostgreSQL 15.20
        );
        expect(postgres.notes.join(' ')).toContain(
          `TimescaleDB ${version} preloaded: shared_preload_libraries=timescaledb`,
        );
        expect(Object.keys(stores.pids)).toEqual(['postgres']); // one server for both kinds
        const settings = await query<{ preload: string; telemetry: string }>(
          postgres.url,
          "SELECT current_setting('shared_preload_libraries') AS preload, current_setting('timescaledb.telemetry_level') AS telemetry",
        );
        expect(settings).toEqual([{ preload: 'timescaledb', telemetry: 'off' }]);

        // The way a profile gets it: its own database on the timescaledb endpoint, the DAL backend's migration.
        await using db = await createProfileDatabase(
          'timescaledb',
          timescale.url,
          `tsprov_${randomBytes(4).toString('hex')}`,
        );
        const pool = new pg.Pool({ connectionString: db.url, max: 2 });
        // pg-pool's end() resolves before its clients' sockets have closed, and it re-emits a closing
        // client's error: the restart's fast shutdown can reach one as 57P01, which with no listener
        // was an uncaught exception (seen on Node 24). The DAL's createPool listens the same way.
        pool.on('error', () => undefined);
        try {
          await TimescaleTimeSeriesRepository.migrate(pool);
          const repo = new TimescaleTimeSeriesRepository(pool);
          const start = Date.UTC(2024, 0, 1);
          const week = 7 * 24 * 3600_000;
          await repo.saveMetrics(
            [0, 1, 2].map((i) => ({ metricName: 'cpu', timestamp: new Date(start + i * week), value: i })),
          );
          const hypertables = async () =>
            (
              await pool.query<{ hypertable_name: string; num_chunks: number }>(
                'SELECT hypertable_name, num_chunks::int AS num_chunks FROM timescaledb_information.hypertables',
              )
            ).rows;
          // Three points a week apart in weekly chunks: three chunks.
          expect(await hypertables()).toEqual([{ hypertable_name: 'dal_metrics_hyper', num_chunks: 3 }]);

          // The kind restarts its server with the same settings; the hypertable and its rows survive.
          await pool.end();
          await stores.restart('timescaledb');
          expect(stores.pids.postgres).not.toBe(pid);
          expect(await query(db.url, "SELECT current_setting('shared_preload_libraries') AS p")).toEqual([
            { p: 'timescaledb' },
          ]);
          expect(
            await query(
              db.url,
              "SELECT hypertable_name, num_chunks::int AS num_chunks FROM timescaledb_information.hypertables WHERE hypertable_name = 'dal_metrics_hyper'",
            ),
          ).toEqual([{ hypertable_name: 'dal_metrics_hyper', num_chunks: 3 }]);
          const after = new pg.Pool({ connectionString: db.url, max: 1 });
          try {
            expect(await new TimescaleTimeSeriesRepository(after).countPoints('cpu')).toBe(3);
          } finally {
            await after.end();
          }
        } finally {
          if (!pool.ended) await pool.end();
        }
        expect(lines.some((l) => l.startsWith(`postgres: TimescaleDB ${version} is installed`))).toBe(true);
        expect(stores.unexpectedExits()).toEqual({});
      } finally {
        await stores.stop();
      }
      expect(Object.values(stores.pids).filter(isAlive)).toEqual([]);
      expect(existsSync(stores.runDir)).toBe(false);
    }, 60_000);

    it('starts the server for timescaledb alone, without a postgres endpoint', async () => {
      await using stores = await new LocalProvisioner().start({ kinds: ['timescaledb'] });
      expect(Object.keys(stores.endpoints)).toEqual(['timescaledb']);
      expect(stores.endpoints.timescaledb!.serverVersion).toMatch(
        /^TimescaleDB \d+\.\d+\.\d+ on PostgreSQL \d+/,
      );
      expect(
        await query(
          stores.endpoints.timescaledb!.url,
          "SELECT current_setting('shared_preload_libraries') AS p",
        ),
      ).toEqual([{ p: 'timescaledb' }]);
    }, 60_000);
  },
);

describe.skipIf(installed)(
  `local mode without TimescaleDB${installed ? ` (skipped: TimescaleDB ${version} is installed in ${detected?.dirs.pkglibdir})` : ''}`,
  () => {
    it('runs postgres as before and says why timescaledb is unavailable and how to get it', async () => {
      await using stores = await new LocalProvisioner().start({ kinds: ['postgres', 'timescaledb'] });
      expect(Object.keys(stores.endpoints)).toEqual(['postgres']);
      const reason = stores.unavailable.timescaledb ?? '';
      const major = /^PostgreSQL (\d+)/.exec(stores.endpoints.postgres!.serverVersion)?.[1];
      // Why: the PostgreSQL it was looked for and the directory that lacks the library.
      expect(reason).toMatch(
        new RegExp(
          `^timescaledb is not installed for PostgreSQL ${major} at /\\S+ \\((no timescaledb\\.so|.+)\\)`,
        ),
      );
      expect(reason).toBe(notInstalledWhy);
      // How: its package for this PostgreSQL, docker mode, or an external server.
      expect(reason).toContain(`timescaledb-2-postgresql-${major}`);
      expect(reason).toContain('--stores docker');
      expect(reason).toContain('DALBENCH_TIMESCALE_URL');
      expect(stores.endpoints.postgres!.notes.join(' ')).not.toContain('timescaledb');
      expect(
        await query(
          stores.endpoints.postgres!.url,
          "SELECT current_setting('shared_preload_libraries') AS p",
        ),
      ).toEqual([{ p: '' }]);
    }, 60_000);

    it('starts no server when timescaledb alone is asked for and is not installed', async () => {
      await using stores = await new LocalProvisioner().start({ kinds: ['timescaledb'] });
      expect(stores.endpoints).toEqual({});
      expect(stores.pids).toEqual({});
      expect(stores.unavailable.timescaledb).toBe(notInstalledWhy);
    });
  },
);

const realBin = await findPostgresBinDir();
const DEBIAN_BIN = /\/lib\/postgresql\/(\d+)\/bin$/;
const noCopy =
  realBin === undefined
    ? 'no PostgreSQL installed'
    : DEBIAN_BIN.test(realBin)
      ? undefined
      : `${realBin} is not a Debian-layout PostgreSQL (…/lib/postgresql/N/bin), which the copy relies on`;

/**
 * A copy of the real installation under `root` that PostgreSQL relocates to (it finds lib and share
 * relative to its binary): the three binaries copied, every library and share file linked, and an
 * extension dir of its own, so files can be added without touching the real one.
 */
async function copyInstallation(root: string): Promise<{ bin: string; lib: string; extension: string }> {
  const major = DEBIAN_BIN.exec(realBin!)![1]!;
  const real = await postgresDirs(realBin!);
  const bin = join(root, `usr/lib/postgresql/${major}/bin`);
  const lib = join(root, `usr/lib/postgresql/${major}/lib`);
  const share = join(root, `usr/share/postgresql/${major}`);
  const extension = join(share, 'extension');
  for (const dir of [bin, lib, extension]) mkdirSync(dir, { recursive: true });
  for (const name of ['postgres', 'initdb', 'pg_config']) copyFileSync(join(realBin!, name), join(bin, name));
  // Everything but a TimescaleDB of the real installation (the copy starts without one).
  const link = (from: string, to: string, skip = '') => {
    for (const name of readdirSync(from))
      if (name !== skip && !name.startsWith('timescaledb')) symlinkSync(join(from, name), join(to, name));
  };
  link(real.pkglibdir, lib);
  link(real.sharedir, share, 'extension');
  link(join(real.sharedir, 'extension'), extension);
  chmodSync(root, 0o755); // the run user (as root: `dalbench`) reads it
  return { bin, lib, extension };
}

/** A new file in the copy; never through a link into the real installation. */
function add(dir: string, name: string, text: string): void {
  writeFileSync(join(dir, name), text, { flag: 'wx' });
}

describe.skipIf(noCopy !== undefined)(
  `local mode with a TimescaleDB that cannot load${noCopy ? ` (skipped: ${noCopy})` : ''}`,
  () => {
    it('looks in the PostgreSQL it runs, starts it without TimescaleDB when the preload fails, and says why', async () => {
      const root = mkdtempSync(join(tmpdir(), 'dalbench-pgcopy-'));
      try {
        const copy = await copyInstallation(root);
        const before = await detectLocalTimescale(copy.bin);
        expect(before).toMatchObject({ installed: false });
        expect(before?.installed === false && before.reason).toContain(`at ${copy.lib} (no timescaledb.so)`);

        // Not a loadable library: what a package built for another PostgreSQL or a half-finished install gives.
        add(copy.lib, 'timescaledb.so', 'not an ELF file');
        add(copy.lib, 'timescaledb-9.9.9.so', 'not an ELF file');
        add(copy.extension, 'timescaledb.control', "default_version = '9.9.9'\n");
        expect(await detectLocalTimescale(copy.bin)).toMatchObject({ installed: true, version: '9.9.9' });

        const lines: string[] = [];
        await using stores = await new LocalProvisioner({ postgresBinDir: copy.bin }).start({
          kinds: ['postgres', 'timescaledb'],
          log: (line) => lines.push(line),
        });
        expect(Object.keys(stores.endpoints)).toEqual(['postgres']);
        const reason = stores.unavailable.timescaledb ?? '';
        expect(reason).toMatch(
          /^timescaledb 9\.9\.9 is installed for PostgreSQL \d+ at \S+, but PostgreSQL did not start with it preloaded \(/,
        );
        expect(reason).toContain(copy.lib);
        expect(reason).toContain(`could not load library "${join(copy.lib, 'timescaledb.so')}"`);
        expect(reason).toContain('DALBENCH_TIMESCALE_URL');
        const postgres = stores.endpoints.postgres!;
        expect(postgres.notes.join(' ')).not.toContain('preloaded');
        expect(await query(postgres.url, "SELECT current_setting('shared_preload_libraries') AS p")).toEqual([
          { p: '' },
        ]);
        expect(stores.unexpectedExits()).toEqual({}); // the failed first start is not the server in use
        expect(lines.some((l) => l.startsWith('postgres: TimescaleDB 9.9.9 is installed'))).toBe(true);
      } finally {
        rmSync(root, { recursive: true, force: true });
      }
    }, 60_000);
  },
);

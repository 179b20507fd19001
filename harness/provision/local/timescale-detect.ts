// Is TimescaleDB installed for the PostgreSQL that local mode starts? Its loader library
// (timescaledb.so) must sit in that PostgreSQL's pkglibdir and its control file in sharedir/extension,
// with the versioned library the control file names. When it is not, the reason says what is missing,
// where it was looked for, and how to get TimescaleDB.
import { existsSync, readdirSync, readFileSync, realpathSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { runCommand } from '../run-command.ts';

/** Where a PostgreSQL installation keeps its extension libraries and files (`pg_config`'s answers). */
export interface PostgresDirs {
  /** The major version, e.g. "15" (from pg_config --version, else the Debian path). */
  readonly major: string | undefined;
  /** `pg_config --pkglibdir`: loadable modules such as timescaledb.so. */
  readonly pkglibdir: string;
  /** `pg_config --sharedir`: extension control and SQL files live in its `extension/`. */
  readonly sharedir: string;
  /** Which pg_config answered, or "layout of <binDir>" when none did. */
  readonly source: string;
}

export type TimescaleDetection =
  | {
      readonly installed: true;
      /** default_version of timescaledb.control, e.g. "2.28.3". */
      readonly version: string;
      /** The loader named in shared_preload_libraries. */
      readonly library: string;
      /** Whether the TSL (community-licence) module is there: compression and continuous aggregates need it. */
      readonly tsl: boolean;
      readonly dirs: PostgresDirs;
    }
  | { readonly installed: false; readonly reason: string; readonly dirs: PostgresDirs };

const LIB_SUFFIXES = ['.so', '.dylib'] as const;

function findLibrary(pkglibdir: string, base: string): string | undefined {
  return LIB_SUFFIXES.map((suffix) => `${base}${suffix}`).find((name) => existsSync(join(pkglibdir, name)));
}

/** How to get TimescaleDB for PostgreSQL `major`, appended to every "not installed" reason. */
export function howToGetTimescale(major: string | undefined): string {
  const pkg = `timescaledb-2-postgresql-${major ?? '<major>'}`;
  return (
    `to use TimescaleDB install its package for your distribution and PostgreSQL ${major ?? 'version'} ` +
    `(e.g. \`${pkg}\` from TimescaleDB's apt/yum repository at packagecloud.io/timescale/timescaledb), ` +
    'or run with `--stores docker` (the timescale/timescaledb image), or in external mode set ' +
    'DALBENCH_TIMESCALE_URL to a server with TimescaleDB; until then time-series runs on range-partitioned PostgreSQL'
  );
}

/**
 * Pure check of one installation's directories (no process is started): installed when the loader
 * library, the control file and the versioned library it names are all there.
 */
export function detectTimescale(dirs: PostgresDirs): TimescaleDetection {
  const forPg = `PostgreSQL ${dirs.major ?? '(unknown version)'}`;
  const notInstalled = (what: string): TimescaleDetection => ({
    installed: false,
    reason: `timescaledb is not installed for ${forPg} at ${what}; ${howToGetTimescale(dirs.major)}`,
    dirs,
  });
  const library = findLibrary(dirs.pkglibdir, 'timescaledb');
  if (!library) return notInstalled(`${dirs.pkglibdir} (no timescaledb.so)`);
  const control = join(dirs.sharedir, 'extension', 'timescaledb.control');
  let controlText: string;
  try {
    controlText = readFileSync(control, 'utf8');
  } catch {
    return notInstalled(`${dirs.sharedir}/extension (${library} is there, but no timescaledb.control)`);
  }
  const version = /^\s*default_version\s*=\s*'([^']+)'/m.exec(controlText)?.[1];
  if (!version) return notInstalled(`${control} (it names no default_version)`);
  if (!findLibrary(dirs.pkglibdir, `timescaledb-${version}`)) {
    const present = safeList(dirs.pkglibdir).filter((name) => /^timescaledb-\d/.test(name));
    return notInstalled(
      `${dirs.pkglibdir} (timescaledb.control wants ${version}, but there is no timescaledb-${version}.so` +
        `${present.length > 0 ? `; found ${present.join(', ')}` : ''})`,
    );
  }
  return {
    installed: true,
    version,
    library: library.replace(/\.(so|dylib)$/, ''),
    tsl: findLibrary(dirs.pkglibdir, `timescaledb-tsl-${version}`) !== undefined,
    dirs,
  };
}

function safeList(dir: string): string[] {
  try {
    return readdirSync(dir);
  } catch {
    return [];
  }
}

/**
 * The pkglibdir and sharedir of the PostgreSQL whose binaries are in `binDir`: its own pg_config
 * (Debian's postgresql-client-N ships one there), else a pg_config on PATH that reports the same
 * bindir, else the Debian layout (/usr/lib/postgresql/N/{bin,lib}, /usr/share/postgresql/N).
 */
export async function postgresDirs(binDir: string): Promise<PostgresDirs> {
  const candidates = [join(binDir, 'pg_config'), 'pg_config'];
  for (const pgConfig of candidates) {
    if (pgConfig !== 'pg_config' && !existsSync(pgConfig)) continue;
    try {
      const [bindir, pkglibdir, sharedir, version] = (
        await runCommand(pgConfig, ['--bindir', '--pkglibdir', '--sharedir', '--version'], {
          timeoutMs: 10_000,
        })
      )
        .trim()
        .split('\n')
        .map((line) => line.trim());
      if (!bindir || !pkglibdir || !sharedir || canonical(bindir) !== canonical(binDir)) continue;
      return { major: /PostgreSQL (\d+)/.exec(version ?? '')?.[1], pkglibdir, sharedir, source: pgConfig };
    } catch {
      // this pg_config does not answer: try the next way
    }
  }
  const debian = /^(.*)\/lib\/postgresql\/(\d+)\/bin$/.exec(binDir);
  const root = dirname(binDir);
  return {
    major: debian?.[2],
    pkglibdir: join(root, 'lib'),
    sharedir: debian ? `${debian[1]}/share/postgresql/${debian[2]}` : join(root, 'share'),
    source: `layout of ${binDir}`,
  };
}

function canonical(path: string): string {
  try {
    return realpathSync(path);
  } catch {
    return path;
  }
}

// Detection of an installed TimescaleDB against fake PostgreSQL directories made here: every way an
// install can be incomplete says what is missing, where it looked and how to get TimescaleDB.
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { findPostgresBinDir } from './postgres.ts';
import { detectTimescale, postgresDirs, type PostgresDirs } from './timescale-detect.ts';

let root: string;
let dirs: PostgresDirs;

beforeEach(() => {
  root = mkdtempSync(join(tmpdir(), 'dalbench-tsdetect-'));
  dirs = { major: '15', pkglibdir: join(root, 'lib'), sharedir: join(root, 'share'), source: 'test' };
  mkdirSync(dirs.pkglibdir);
  mkdirSync(join(dirs.sharedir, 'extension'), { recursive: true });
});

afterEach(() => rmSync(root, { recursive: true, force: true }));

const lib = (name: string) => writeFileSync(join(dirs.pkglibdir, name), '');
const control = (text: string) =>
  writeFileSync(join(dirs.sharedir, 'extension', 'timescaledb.control'), text);
const CONTROL = "# timescaledb extension\ncomment = 'time-series'\ndefault_version = '2.28.3'\n";

function reasonOf(detected: ReturnType<typeof detectTimescale>): string {
  if (detected.installed) throw new Error(`expected "not installed", got TimescaleDB ${detected.version}`);
  return detected.reason;
}

describe('detectTimescale', () => {
  it('says why and how to get it when the pkglibdir has no timescaledb.so', () => {
    lib('plpgsql.so');
    control(CONTROL); // a control file alone (no library) is not an install
    const reason = reasonOf(detectTimescale(dirs));
    expect(reason).toBe(
      `timescaledb is not installed for PostgreSQL 15 at ${dirs.pkglibdir} (no timescaledb.so); ` +
        'to use TimescaleDB install its package for your distribution and PostgreSQL 15 ' +
        "(e.g. `timescaledb-2-postgresql-15` from TimescaleDB's apt/yum repository at packagecloud.io/timescale/timescaledb), " +
        'or run with `--stores docker` (the timescale/timescaledb image), or in external mode set ' +
        'DALBENCH_TIMESCALE_URL to a server with TimescaleDB; until then time-series runs on range-partitioned PostgreSQL',
    );
  });

  it('names the missing control file when only the library is there', () => {
    lib('timescaledb.so');
    lib('timescaledb-2.28.3.so');
    const reason = reasonOf(detectTimescale(dirs));
    expect(reason).toContain(
      `at ${dirs.sharedir}/extension (timescaledb.so is there, but no timescaledb.control)`,
    );
    expect(reason).toContain('timescaledb-2-postgresql-15');
  });

  it('names a control file without a default_version', () => {
    lib('timescaledb.so');
    control("comment = 'no version here'\n");
    expect(reasonOf(detectTimescale(dirs))).toContain('timescaledb.control (it names no default_version)');
  });

  it('names the versioned library the control file wants, and the versions that are there instead', () => {
    lib('timescaledb.so');
    lib('timescaledb-2.17.2.so');
    control(CONTROL);
    expect(reasonOf(detectTimescale(dirs))).toContain(
      'timescaledb.control wants 2.28.3, but there is no timescaledb-2.28.3.so; found timescaledb-2.17.2.so',
    );
  });

  it('finds a complete install, with or without the TSL module', () => {
    lib('timescaledb.so');
    lib('timescaledb-2.28.3.so');
    control(CONTROL);
    expect(detectTimescale(dirs)).toEqual({
      installed: true,
      version: '2.28.3',
      library: 'timescaledb',
      tsl: false,
      dirs,
    });
    lib('timescaledb-tsl-2.28.3.so');
    expect(detectTimescale(dirs)).toMatchObject({ installed: true, tsl: true });
  });

  it('says "unknown version" when the PostgreSQL major is not known', () => {
    const reason = reasonOf(detectTimescale({ ...dirs, major: undefined }));
    expect(reason).toContain('for PostgreSQL (unknown version) at');
    expect(reason).toContain('`timescaledb-2-postgresql-<major>`');
  });
});

const binDir = await findPostgresBinDir();

describe('postgresDirs', () => {
  it("falls back to Debian's layout for a bin dir no pg_config describes", async () => {
    const binDir = join(root, 'usr/lib/postgresql/15/bin');
    expect(await postgresDirs(binDir)).toEqual({
      major: '15',
      pkglibdir: join(root, 'usr/lib/postgresql/15/lib'),
      sharedir: join(root, 'usr/share/postgresql/15'),
      source: `layout of ${binDir}`,
    });
  });

  it.skipIf(binDir === undefined)(
    `asks the pg_config of the PostgreSQL local mode starts${binDir ? '' : ' (skipped: no PostgreSQL installed)'}`,
    async () => {
      const found = await postgresDirs(binDir!);
      expect(found.major).toMatch(/^\d+$/);
      expect(found.source).toMatch(/pg_config$/);
      // The right directories: PostgreSQL's own plpgsql module and its control file are there.
      expect(existsSync(join(found.pkglibdir, 'plpgsql.so'))).toBe(true);
      expect(existsSync(join(found.sharedir, 'extension', 'plpgsql.control'))).toBe(true);
    },
  );
});

// The Maven cache: a fetch lands under its final name only when complete; a leftover partial is ignored.
import { existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { artifactFileName, cachedArtifact, defaultCacheDir } from './artifact-cache.ts';
import { findJdk, parseJavaMajor } from './jdk.ts';

const S3PROXY = {
  groupId: 'org.gaul',
  artifactId: 's3proxy',
  version: '4.1.0',
  packaging: 'jar',
  classifier: 'jar-with-dependencies',
} as const;

const cleanups: (() => void)[] = [];
afterEach(() => {
  for (const cleanup of cleanups.splice(0)) cleanup();
});

describe('artifact cache', () => {
  it('honours XDG_CACHE_HOME, else ~/.cache', () => {
    expect(defaultCacheDir({ XDG_CACHE_HOME: '/x/cache' })).toBe('/x/cache/dalbench');
    expect(defaultCacheDir({})).toMatch(/\/\.cache\/dalbench$/);
  });

  it('fetches with mvn once, ignores an interrupted partial, and leaves no temp entries', async () => {
    const cache = mkdtempSync(join(tmpdir(), 'dalbench-cache-test-'));
    cleanups.push(() => rmSync(cache, { recursive: true, force: true }));
    // What an interrupted fetch leaves: a partial dir, never the final name.
    mkdirSync(join(cache, '.partial-s3proxy-1-dead'));
    writeFileSync(join(cache, '.partial-s3proxy-1-dead', artifactFileName(S3PROXY)), 'truncated');
    const lines: string[] = [];
    const jar = await cachedArtifact('s3', S3PROXY, cache, (line) => lines.push(line));
    expect(jar).toBe(join(cache, 's3proxy-4.1.0-jar-with-dependencies.jar'));
    expect(statSync(jar).size).toBeGreaterThan(10_000_000);
    expect(
      lines.some((line) => line.includes('fetching org.gaul:s3proxy:4.1.0:jar:jar-with-dependencies')),
    ).toBe(true);
    expect(
      readdirSync(cache).filter((name) => name.startsWith('.partial-') && name !== '.partial-s3proxy-1-dead'),
    ).toEqual([]);
    lines.length = 0;
    expect(await cachedArtifact('s3', S3PROXY, cache, (line) => lines.push(line))).toBe(jar);
    expect(lines).toEqual([]); // reused, not fetched again
    expect(existsSync(jar)).toBe(true);
  }, 120_000);
});

describe('jdk discovery', () => {
  it.each([
    ['1.8.0_392', 8],
    ['17.0.15', 17],
    ['25', 25],
    ['21.0.1+12', 21],
    ['garbage', undefined],
  ])('parses %s as major %s', (version, major) => {
    expect(parseJavaMajor(version)).toBe(major);
  });

  it('never returns a JDK older than asked for', () => {
    const jdk = findJdk(21, undefined);
    if (jdk) expect(jdk.major).toBeGreaterThanOrEqual(21);
    expect(findJdk(999, undefined)).toBeUndefined();
  });
});

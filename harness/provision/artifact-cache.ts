// Maven Central artifacts (Elasticsearch archive, S3Proxy jar) fetched once with the machine's Maven into
// the cache dir and reused. Fetch and unpack go to a temp name first and are renamed into place, so an
// interrupted fetch is never mistaken for a good cache entry.
import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readdirSync, renameSync, rmSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { ProvisionError } from './errors.ts';
import type { StoreKind } from './provisioner.ts';
import { runCommand } from './run-command.ts';

/** `$XDG_CACHE_HOME/dalbench`, else `~/.cache/dalbench`. */
export function defaultCacheDir(env: NodeJS.ProcessEnv = process.env): string {
  const xdg = env['XDG_CACHE_HOME'];
  return join(xdg && xdg.startsWith('/') ? xdg : join(homedir(), '.cache'), 'dalbench');
}

export interface MavenArtifact {
  readonly groupId: string;
  readonly artifactId: string;
  readonly version: string;
  readonly packaging: string;
  readonly classifier?: string;
}

export function artifactFileName(a: MavenArtifact): string {
  return `${a.artifactId}-${a.version}${a.classifier ? `-${a.classifier}` : ''}.${a.packaging}`;
}

function coordinates(a: MavenArtifact): string {
  return [a.groupId, a.artifactId, a.version, a.packaging, ...(a.classifier ? [a.classifier] : [])].join(':');
}

function tempSibling(cacheDir: string, label: string): string {
  return join(cacheDir, `.partial-${label}-${process.pid}-${randomBytes(4).toString('hex')}`);
}

/** Path of the cached artifact file, fetching it first when absent. */
export async function cachedArtifact(
  store: StoreKind,
  artifact: MavenArtifact,
  cacheDir: string,
  log: (line: string) => void,
): Promise<string> {
  const target = join(cacheDir, artifactFileName(artifact));
  if (existsSync(target)) return target;
  mkdirSync(cacheDir, { recursive: true });
  const temp = tempSibling(cacheDir, artifact.artifactId);
  try {
    log(`${store}: fetching ${coordinates(artifact)} with mvn into ${cacheDir}`);
    await runCommand(
      'mvn',
      ['-q', '-B', 'dependency:copy', `-Dartifact=${coordinates(artifact)}`, `-DoutputDirectory=${temp}`],
      // Maven's JVM would otherwise leave /tmp/hsperfdata_<user> behind.
      { env: { ...process.env, MAVEN_OPTS: `${process.env.MAVEN_OPTS ?? ''} -XX:-UsePerfData`.trim() } },
    ).catch((error: unknown) => {
      throw new ProvisionError(
        store,
        `could not fetch ${coordinates(artifact)} from Maven Central (needs \`mvn\` on PATH and network access)`,
        { cause: error },
      );
    });
    renameIntoPlace(join(temp, artifactFileName(artifact)), target);
    return target;
  } finally {
    rmSync(temp, { recursive: true, force: true });
  }
}

/** Path of the unpacked archive's top directory `<cacheDir>/<topDir>`, unpacking the zip first when absent. */
export async function unpackedArchive(
  store: StoreKind,
  artifact: MavenArtifact,
  topDir: string,
  cacheDir: string,
  log: (line: string) => void,
): Promise<string> {
  const target = join(cacheDir, topDir);
  if (existsSync(target)) return target;
  const zip = await cachedArtifact(store, artifact, cacheDir, log);
  const temp = tempSibling(cacheDir, topDir);
  try {
    log(`${store}: unpacking ${zip}`);
    mkdirSync(temp, { recursive: true });
    await runCommand('unzip', ['-q', zip, '-d', temp]).catch((error: unknown) => {
      throw new ProvisionError(store, `could not unpack ${zip} (needs \`unzip\`: apt-get install -y unzip)`, {
        cause: error,
      });
    });
    const unpacked = join(temp, topDir);
    if (!existsSync(unpacked)) {
      throw new ProvisionError(store, `${zip} holds ${readdirSync(temp).join(', ')}, not ${topDir}/`);
    }
    renameIntoPlace(unpacked, target);
    return target;
  } finally {
    rmSync(temp, { recursive: true, force: true });
  }
}

/** Rename, accepting that a concurrent run may have put an identical entry there first. */
function renameIntoPlace(from: string, to: string): void {
  try {
    renameSync(from, to);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (!existsSync(to) || (code !== 'ENOTEMPTY' && code !== 'EEXIST')) throw error;
  }
}

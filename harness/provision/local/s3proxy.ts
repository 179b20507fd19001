// A throwaway S3 API: S3Proxy (Maven Central jar, cached) with the filesystem-nio2 provider in the run dir,
// AWS v2/v4 auth with generated credentials, on a free port.
import { randomBytes } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { cachedArtifact } from '../artifact-cache.ts';
import { ProvisionError } from '../errors.ts';
import { findJdk } from '../jdk.ts';
import { makeOwnedDir } from '../run-user.ts';
import { formatS3Url } from '../s3-url.ts';
import { s3Version } from '../server-version.ts';
import { ServerProcess } from '../server-process.ts';
import { startLocalStore, type LocalContext, type LocalStore } from './context.ts';

export const S3PROXY_VERSION = '4.1.0';
const REGION = 'us-east-1';

export async function startLocalS3Proxy(ctx: LocalContext): Promise<LocalStore> {
  const jdk = findJdk(17, process.env['JAVA_HOME']);
  if (!jdk)
    throw new ProvisionError(
      's3',
      'S3Proxy needs a JDK 17 or newer: set JAVA_HOME or install one under /usr/lib/jvm',
    );
  const jar = await cachedArtifact(
    's3',
    {
      groupId: 'org.gaul',
      artifactId: 's3proxy',
      version: S3PROXY_VERSION,
      packaging: 'jar',
      classifier: 'jar-with-dependencies',
    },
    ctx.cacheDir,
    ctx.log,
  );
  const base = makeOwnedDir(ctx.runDir.file('s3'), ctx.user);
  const data = makeOwnedDir(join(base, 'data'), ctx.user);
  const tmp = makeOwnedDir(join(base, 'tmp'), ctx.user);
  const port = await ctx.serverPort('s3');
  const identity = `dalbench${randomBytes(6).toString('hex')}`;
  const credential = randomBytes(24).toString('base64url');
  const endpoint = `http://127.0.0.1:${port}`;
  const properties = join(base, 's3proxy.properties');
  writeFileSync(
    properties,
    [
      `s3proxy.endpoint=${endpoint}`,
      's3proxy.authorization=aws-v2-or-v4',
      `s3proxy.identity=${identity}`,
      `s3proxy.credential=${credential}`,
      'jclouds.provider=filesystem-nio2',
      `jclouds.filesystem.basedir=${data}`,
      `jclouds.identity=${identity}`,
      `jclouds.credential=${credential}`,
      '',
    ].join('\n'),
    { mode: 0o600 },
  );
  const logFile = ctx.runDir.file('s3.log');
  // The jar is in our cache (maybe unreadable to the run user), and S3Proxy is fine as root: run as ourselves.
  const url = formatS3Url({ endpoint, accessKeyId: identity, secretAccessKey: credential, region: REGION });
  return startLocalStore(
    ctx,
    's3',
    url,
    ['S3Proxy filesystem-nio2: a correctness-true S3 API, not a performance peer of MinIO or a cloud S3'],
    async () => {
      const server = await ServerProcess.spawn({
        store: 's3',
        command: jdk.java,
        args: [
          '-XX:-UsePerfData',
          `-Djava.io.tmpdir=${tmp}`,
          '-Dfile.encoding=UTF-8',
          '-jar',
          jar,
          '--properties',
          properties,
        ],
        // Keys become file names: under a non-UTF-8 locale (an empty environment, a minimal CI image)
        // the JVM cannot name a file "ü.bin" and S3Proxy answers 400 Bad Request to such keys.
        env: utf8Locale(process.env),
        logFile,
        cwd: base,
      });
      return {
        server,
        logFile,
        probe: () => s3Version(url, `S3Proxy ${S3PROXY_VERSION}`),
        defaultTimeoutMs: 60_000,
      };
    },
  );
}

/** The environment with a UTF-8 locale for the JVM, unless it already has one. */
export function utf8Locale(env: NodeJS.ProcessEnv): NodeJS.ProcessEnv {
  const current = env['LC_ALL'] || env['LC_CTYPE'] || env['LANG'] || '';
  return /utf-?8/i.test(current) ? env : { ...env, LC_ALL: 'C.UTF-8', LANG: 'C.UTF-8' };
}

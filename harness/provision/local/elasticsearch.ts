// A throwaway Elasticsearch from the Maven Central integ-test archive (cached, shared), run in the foreground
// as a child with a per-run config, data, logs and tmp dir, all owned by the run user.
import { elasticsearchHeapOptions, memoryNote } from '../store-memory.ts';
import { appendFileSync, chownSync, cpSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { unpackedArchive } from '../artifact-cache.ts';
import { ProvisionError } from '../errors.ts';
import { findJdk, type Jdk } from '../jdk.ts';
import { runCommand } from '../run-command.ts';
import { makeOwnedDir, type RunUser } from '../run-user.ts';
import { elasticsearchVersion } from '../server-version.ts';
import { ServerProcess } from '../server-process.ts';
import { startLocalStore, type LocalContext, type LocalStore } from './context.ts';

export const DEFAULT_ES_VERSION = '9.2.4';

export function minJdkForEs(version: string): number {
  return Number(version.split('.')[0]) >= 9 ? 21 : 17;
}

export async function startLocalElasticsearch(ctx: LocalContext): Promise<LocalStore> {
  const version = ctx.esVersion;
  const minJdk = minJdkForEs(version);
  const jdk = findJdk(minJdk, process.env['ES_JAVA_HOME']);
  if (!jdk) {
    throw new ProvisionError(
      'elasticsearch',
      `Elasticsearch ${version} needs a JDK ${minJdk} or newer: set ES_JAVA_HOME, or install one under /usr/lib/jvm (e.g. Temurin 21+)${minJdk > 17 ? '; with JDK 17 only, use --es-version 8.19.21' : ''}`,
    );
  }
  const cached = await unpackedArchive(
    'elasticsearch',
    {
      groupId: 'org.elasticsearch.distribution.integ-test-zip',
      artifactId: 'elasticsearch',
      version,
      packaging: 'zip',
    },
    `elasticsearch-${version}`,
    ctx.cacheDir,
    ctx.log,
  );
  const base = makeOwnedDir(ctx.runDir.file('elasticsearch'), ctx.user);
  const home = await esHome(cached, join(base, 'home'), ctx.user);
  const config = join(base, 'config');
  const [data, logs, tmp] = ['data', 'logs', 'tmp'].map((name) =>
    makeOwnedDir(join(base, name), ctx.user),
  ) as [string, string, string];
  const logFile = ctx.runDir.file('elasticsearch.log');
  ctx.log(`elasticsearch: starting ${version} (JDK ${jdk.major} at ${jdk.home}) as ${ctx.user.name}`);
  const paths = { base, cached, home, config, data, logs, tmp, logFile };
  for (let attempt = 1; ; attempt++) {
    const ports = {
      http: await ctx.serverPort('elasticsearch'),
      transport: await ctx.serverPort('elasticsearch'),
    };
    const logStart = fileSize(logFile);
    try {
      return await startOn(ctx, ports, paths, jdk);
    } catch (error) {
      // Another process took a port between our check and the JVM's bind, 10–30 s later: new ports, again.
      if (attempt >= BIND_ATTEMPTS || !portWasTaken(logFile, logStart)) throw error;
      ctx.log(
        `elasticsearch: port ${ports.http} or ${ports.transport} was taken before it bound; retrying on new ports`,
      );
    }
  }
}

const BIND_ATTEMPTS = 3;

interface EsPaths {
  readonly base: string;
  readonly cached: string;
  readonly home: string;
  readonly config: string;
  readonly data: string;
  readonly logs: string;
  readonly tmp: string;
  readonly logFile: string;
}

async function startOn(
  ctx: LocalContext,
  ports: { readonly http: number; readonly transport: number },
  paths: EsPaths,
  jdk: Jdk,
): Promise<LocalStore> {
  const { base, cached, home, config, data, logs, tmp, logFile } = paths;
  // A fresh copy each attempt: the settings below are appended to the archive's file.
  cpSync(join(cached, 'config'), config, { recursive: true });
  appendFileSync(
    join(config, 'elasticsearch.yml'),
    [
      '',
      '# dalbench local provisioner: one throwaway single node',
      'discovery.type: single-node',
      'xpack.security.enabled: false',
      'network.host: 127.0.0.1',
      `http.port: ${ports.http}`,
      `transport.port: ${ports.transport}`,
      `path.data: ${data}`,
      `path.logs: ${logs}`,
      'cluster.routing.allocation.disk.threshold_enabled: false',
      '',
    ].join('\n'),
  );
  chownTree(config, ctx.user);
  const url = `http://127.0.0.1:${ports.http}`;
  return startLocalStore(
    ctx,
    'elasticsearch',
    url,
    [
      `integ-test archive (core modules only: no _delete_by_query/_reindex/painless/language analyzers), JDK ${jdk.major}`,
      memoryNote('elasticsearch', ctx.memory),
    ],
    async () => {
      const server = await ServerProcess.spawn({
        store: 'elasticsearch',
        command: join(home, 'bin', 'elasticsearch'),
        args: [],
        logFile,
        cwd: base,
        uid: ctx.user.uid,
        gid: ctx.user.gid,
        env: {
          PATH: process.env['PATH'] ?? '/usr/bin:/bin',
          HOME: base,
          ES_JAVA_HOME: jdk.home,
          ES_PATH_CONF: config,
          ES_TMPDIR: tmp,
          ES_JAVA_OPTS: `${elasticsearchHeapOptions(ctx.memory)} -XX:-UsePerfData`,
          // No /tmp/hsperfdata_* from its JVMs: ES's scripts unset JAVA_TOOL_OPTIONS, so tell the CLI launcher
          // (CLI_JAVA_OPTS) and the server (ES_JAVA_OPTS) each. The launcher's own temp directories
          // (/tmp/final-flags*, one per start, never removed) go into the store's tmp, removed with it.
          CLI_JAVA_OPTS: `-XX:-UsePerfData -Djava.io.tmpdir=${tmp}`,
        },
      });
      return {
        server,
        logFile,
        probe: () => elasticsearchVersion(url),
        defaultTimeoutMs: 120_000,
        intervalMs: 250,
      };
    },
  );
}

/** Whether the log, from byte `from` on, says a port was in use when Elasticsearch bound it. */
function portWasTaken(logFile: string, from: number): boolean {
  let text: string;
  try {
    text = readFileSync(logFile).subarray(from).toString('utf8');
  } catch {
    return false;
  }
  return /Bind(Transport|Http)Exception|Address already in use/.test(text);
}

function fileSize(file: string): number {
  try {
    return statSync(file).size;
  } catch {
    return 0;
  }
}

/**
 * The cached tree may sit in a home dir the run user cannot read (/root is 0700): then give the run a
 * hard-linked copy (cheap, same filesystem; a real copy otherwise). Running as ourselves, use the cache.
 */
async function esHome(cached: string, target: string, user: RunUser): Promise<string> {
  if (user.uid === undefined) return cached;
  try {
    await runCommand('cp', ['-al', cached, target]);
  } catch {
    await runCommand('cp', ['-a', cached, target]);
  }
  return target;
}

function chownTree(path: string, user: RunUser): void {
  if (user.uid === undefined || user.gid === undefined) return;
  chownSync(path, user.uid, user.gid);
  if (statSync(path).isDirectory()) for (const name of readdirSync(path)) chownTree(join(path, name), user);
}

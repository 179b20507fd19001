// A throwaway Redis: redis-server as a child, no persistence, on a free port.
import { existsSync } from 'node:fs';
import { ProvisionError } from '../errors.ts';
import { runCommand } from '../run-command.ts';
import { makeOwnedDir } from '../run-user.ts';
import { redisVersion } from '../server-version.ts';
import { ServerProcess } from '../server-process.ts';
import { startLocalStore, type LocalContext, type LocalStore } from './context.ts';
import { serverTlsFiles, withCa } from './tls-files.ts';

async function findRedisServer(): Promise<string | undefined> {
  for (const path of ['/usr/bin/redis-server', '/usr/local/bin/redis-server'])
    if (existsSync(path)) return path;
  try {
    return (await runCommand('sh', ['-c', 'command -v redis-server'])).trim() || undefined;
  } catch {
    return undefined;
  }
}

export async function startLocalRedis(ctx: LocalContext): Promise<LocalStore> {
  let binary = await findRedisServer();
  if (!binary) {
    await ctx.apt.install('redis', 'redis-server');
    binary = await findRedisServer();
    if (!binary)
      throw new ProvisionError('redis', 'installed `redis-server` but found no redis-server binary');
  }
  const dir = makeOwnedDir(ctx.runDir.file('redis'), ctx.user);
  const logFile = ctx.runDir.file('redis.log');
  const port = await ctx.serverPort('redis');
  const files = ctx.tls ? serverTlsFiles(ctx.tls, dir, ctx.user) : undefined;
  const url = ctx.tls ? withCa(`rediss://127.0.0.1:${port}`, ctx.tls.caFile) : `redis://127.0.0.1:${port}`;
  // TLS only: the plaintext port off, clients not asked for certificates.
  const listen = files
    ? [
        '--port',
        '0',
        '--tls-port',
        String(port),
        '--tls-cert-file',
        files.cert,
        '--tls-key-file',
        files.key,
        '--tls-auth-clients',
        'no',
      ]
    : ['--port', String(port)];
  const notes = [
    'no persistence (--save "" --appendonly no)',
    ...(files ? ['TLS only, certificate from the caller'] : []),
  ];
  return startLocalStore(ctx, 'redis', url, notes, async () => {
    const server = await ServerProcess.spawn({
      store: 'redis',
      command: binary,
      args: [...listen, '--bind', '127.0.0.1', '--dir', dir, '--save', '', '--appendonly', 'no'],
      logFile,
      cwd: dir,
      uid: ctx.user.uid,
      gid: ctx.user.gid,
    });
    return { server, logFile, probe: () => redisVersion(url), defaultTimeoutMs: 30_000 };
  });
}

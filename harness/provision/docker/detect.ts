// Does a container engine answer? Bounded, so a machine without one pays milliseconds, not a hang.
import { existsSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';

export const DOCKER_DETECT_TIMEOUT_MS = 700;

export interface EngineProbe {
  readonly available: boolean;
  /** Why not, when not. */
  readonly reason?: string;
  readonly elapsedMs: number;
}

/** Where testcontainers would look for an engine; none of them present means there is none to ask. */
function engineHints(env: NodeJS.ProcessEnv): string[] {
  const uid = process.getuid?.();
  const runtime = env['XDG_RUNTIME_DIR'] ?? (uid === undefined ? undefined : `/run/user/${uid}`);
  const hints = ['DOCKER_HOST', 'TESTCONTAINERS_HOST_OVERRIDE', 'TESTCONTAINERS_DOCKER_SOCKET_OVERRIDE']
    .filter((name) => env[name])
    .map((name) => `$${name}`);
  const paths = [
    '/var/run/docker.sock',
    '/run/podman/podman.sock',
    join(homedir(), '.testcontainers.properties'),
    join(homedir(), '.docker', 'run', 'docker.sock'),
    join(homedir(), '.docker', 'desktop', 'docker.sock'),
    ...(runtime ? [join(runtime, 'docker.sock'), join(runtime, 'podman', 'podman.sock')] : []),
  ];
  return [...hints, ...paths.filter((path) => existsSync(path))];
}

export async function detectContainerEngine(
  timeoutMs = DOCKER_DETECT_TIMEOUT_MS,
  env: NodeJS.ProcessEnv = process.env,
): Promise<EngineProbe> {
  const began = performance.now();
  if (engineHints(env).length === 0) {
    return {
      available: false,
      reason: 'no DOCKER_HOST and no docker/podman socket found',
      elapsedMs: performance.now() - began,
    };
  }
  let timer: NodeJS.Timeout | undefined;
  try {
    // The bound covers the (lazy) import too: local and external runs never load testcontainers otherwise.
    await Promise.race([
      import('testcontainers').then(({ getContainerRuntimeClient }) => getContainerRuntimeClient()),
      new Promise((_, reject) => {
        timer = setTimeout(() => reject(new Error(`no answer within ${timeoutMs} ms`)), timeoutMs);
      }),
    ]);
    return { available: true, elapsedMs: performance.now() - began };
  } catch (error) {
    return {
      available: false,
      reason: error instanceof Error ? error.message : String(error),
      elapsedMs: performance.now() - began,
    };
  } finally {
    clearTimeout(timer);
  }
}

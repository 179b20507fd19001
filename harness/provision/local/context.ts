// What every local store starter gets from the local provisioner.
import type { StoreMemory } from '../store-memory.ts';
import type { AptInstaller } from '../os-packages.ts';
import type { RunDir } from '../run-dir.ts';
import type { RunUser } from '../run-user.ts';
import type { StoreKind } from '../provisioner.ts';
import type { ServerProcess } from '../server-process.ts';
import { waitReady } from '../wait-ready.ts';

export interface LocalContext {
  readonly runDir: RunDir;
  readonly user: RunUser;
  readonly apt: AptInstaller;
  readonly cacheDir: string;
  readonly esVersion: string;
  /** Bound on each store's readiness wait; undefined = the store's own default. */
  readonly readyTimeoutMs: number | undefined;
  /** A port for a server to listen on (serverPort, or a test's picker). */
  readonly serverPort: (store: StoreKind) => Promise<number>;
  /** Serve over TLS with these PEM files (the stores that can); undefined = plaintext. */
  readonly tls: LocalTls | undefined;
  /** PostgreSQL's buffers and Elasticsearch's heap. */
  readonly memory: StoreMemory;
  readonly log: (line: string) => void;
  readonly signal: AbortSignal | undefined;
  /** Hands a started server to the provisioner, which records it in owner.json and stops it later. */
  readonly track: (server: ServerProcess) => void;
}

/** A server certificate and key, and the CA that signed them (what clients are told to trust). */
export interface LocalTls {
  readonly certFile: string;
  readonly keyFile: string;
  readonly caFile: string;
}

export interface LocalStore {
  readonly url: string;
  readonly serverVersion: string;
  readonly notes: readonly string[];
  /**
   * Starts the server again with the same command: same port, same data directory. Only after the previous
   * process is gone (the provisioner ensures that); hands the new process to `track` and waits until ready.
   */
  readonly relaunch: () => Promise<void>;
}

export interface Launch {
  readonly server: ServerProcess;
  readonly logFile: string;
  /** One round trip that answers with the server's version once it is ready. */
  readonly probe: () => Promise<string>;
  readonly defaultTimeoutMs: number;
  readonly intervalMs?: number;
}

/**
 * Start a store with `spawn` (also what `relaunch` runs again: same command, port and data), hand
 * each process to the provisioner and wait until it answers. Shared by every local starter.
 */
export async function startLocalStore(
  ctx: LocalContext,
  store: StoreKind,
  url: string,
  notes: readonly string[],
  spawn: () => Promise<Launch>,
): Promise<LocalStore> {
  const launch = async (): Promise<string> => {
    const started = await spawn();
    ctx.track(started.server);
    return waitReady({
      store,
      probe: started.probe,
      timeoutMs: ctx.readyTimeoutMs ?? started.defaultTimeoutMs,
      ...(started.intervalMs === undefined ? {} : { intervalMs: started.intervalMs }),
      logFile: started.logFile,
      exited: () => started.server.describeExit(),
      signal: ctx.signal,
    });
  };
  const serverVersion = await launch();
  return { url, serverVersion, notes, relaunch: async () => void (await launch()) };
}

// What every local store starter gets from the local provisioner.
import type { AptInstaller } from '../os-packages.ts';
import type { RunDir } from '../run-dir.ts';
import type { RunUser } from '../run-user.ts';
import type { ServerProcess } from '../server-process.ts';

export interface LocalContext {
  readonly runDir: RunDir;
  readonly user: RunUser;
  readonly apt: AptInstaller;
  readonly cacheDir: string;
  readonly esVersion: string;
  /** Bound on each store's readiness wait; undefined = the store's own default. */
  readonly readyTimeoutMs: number | undefined;
  readonly log: (line: string) => void;
  readonly signal: AbortSignal | undefined;
  /** Hands a started server to the provisioner, which records it in owner.json and stops it later. */
  readonly track: (server: ServerProcess) => void;
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

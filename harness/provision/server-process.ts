// A store server run as a direct child in its own process group: logged to a file, watched, and stopped
// with a signal, then SIGKILL of the whole group after a bound (so helpers like ES's server JVM go too).
import { spawn } from 'node:child_process';
import { closeSync, openSync } from 'node:fs';
import { ProvisionError } from './errors.ts';
import { groupMembers, removeAttachSockets } from './jvm-attach-files.ts';
import { groupAlive, killGroupNow } from './process-alive.ts';
import type { StoreKind } from './provisioner.ts';

export interface ExitInfo {
  readonly code: number | null;
  readonly signal: NodeJS.Signals | null;
}

export interface ServerSpawnOptions {
  readonly store: StoreKind;
  readonly command: string;
  readonly args: readonly string[];
  readonly logFile: string;
  readonly cwd: string;
  readonly env?: NodeJS.ProcessEnv;
  readonly uid?: number;
  readonly gid?: number;
  /** Signal for a clean stop: postgres wants SIGINT (fast shutdown), the others SIGTERM. */
  readonly stopSignal?: NodeJS.Signals;
}

export class ServerProcess {
  #exit: ExitInfo | undefined;
  #stopping = false;
  readonly exited: Promise<ExitInfo>;

  private constructor(
    readonly store: StoreKind,
    readonly pid: number,
    readonly logFile: string,
    private readonly stopSignal: NodeJS.Signals,
    exited: Promise<ExitInfo>,
  ) {
    this.exited = exited.then((info) => (this.#exit = info));
  }

  static async spawn(options: ServerSpawnOptions): Promise<ServerProcess> {
    const fd = openSync(options.logFile, 'a', 0o644);
    try {
      const child = spawn(options.command, options.args, {
        cwd: options.cwd,
        env: options.env ?? process.env,
        uid: options.uid,
        gid: options.gid,
        // Own process group: Ctrl-C in a terminal reaches us, not the servers, so we stop them in order.
        detached: true,
        stdio: ['ignore', fd, fd],
      });
      const exited = new Promise<ExitInfo>((resolve) =>
        child.once('exit', (code, signal) => resolve({ code, signal })),
      );
      await new Promise<void>((resolve, reject) => {
        child.once('spawn', resolve);
        child.once('error', (error) =>
          reject(new ProvisionError(options.store, `could not start ${options.command}`, { cause: error })),
        );
      });
      if (child.pid === undefined) throw new ProvisionError(options.store, `${options.command} has no pid`);
      return new ServerProcess(
        options.store,
        child.pid,
        options.logFile,
        options.stopSignal ?? 'SIGTERM',
        exited,
      );
    } finally {
      closeSync(fd);
    }
  }

  /** How it exited, or undefined while it runs. */
  get exitInfo(): ExitInfo | undefined {
    return this.#exit;
  }

  /** True when it exited without stop() having asked it to. */
  get exitedUnexpectedly(): boolean {
    return this.#exit !== undefined && !this.#stopping;
  }

  describeExit(): string | undefined {
    const exit = this.#exit;
    if (!exit) return undefined;
    return exit.signal ? `killed by ${exit.signal}` : `exit code ${exit.code}`;
  }

  /** Clean stop, bounded; then SIGKILL of the group either way so nothing of it survives. */
  async stop(graceMs = 10_000): Promise<void> {
    this.#stopping = true;
    const members = groupMembers(this.pid);
    if (this.#exit === undefined) {
      try {
        process.kill(this.pid, this.stopSignal);
      } catch {
        // exited in between
      }
      let timer: NodeJS.Timeout | undefined;
      await Promise.race([this.exited, new Promise((resolve) => (timer = setTimeout(resolve, graceMs)))]);
      clearTimeout(timer);
    }
    killGroupNow(this.pid);
    if (this.#exit === undefined) await this.exited;
    removeAttachSockets(members);
  }

  /**
   * Deliberately crash the server (tests of outages): `signal` to its whole process group, then wait until
   * every member is gone so its ports and locks are free. Not reported as an unexpected exit.
   */
  async kill(signal: NodeJS.Signals = 'SIGKILL', boundMs = 30_000): Promise<void> {
    this.#stopping = true;
    const members = groupMembers(this.pid);
    for (const target of [-this.pid, this.pid]) {
      try {
        process.kill(target, signal);
      } catch {
        // already gone
      }
    }
    await this.exited;
    const deadline = Date.now() + boundMs;
    while (groupAlive(this.pid)) {
      if (Date.now() >= deadline) {
        killGroupNow(this.pid);
        throw new ProvisionError(
          this.store,
          `process group ${this.pid} still alive ${boundMs} ms after ${signal}`,
        );
      }
      await new Promise((resolve) => setTimeout(resolve, 25));
    }
    removeAttachSockets(members);
  }

  /** For a process 'exit' handler, where nothing async runs. */
  killSync(): void {
    this.#stopping = true;
    const members = groupMembers(this.pid);
    killGroupNow(this.pid);
    removeAttachSockets(members);
  }
}

// Process faults on stores this run started in local mode: SIGKILL (and restart on the same port and
// data directory), SIGSTOP/SIGCONT of the server's whole process group. Only the local provisioner's
// own servers can be reached this way (by their pids); docker and external stores have no process here.
// Disposing resumes every store it paused, so a run that ends mid-pause leaves no frozen server.
import { readFileSync, readdirSync } from 'node:fs';
import { ProvisionError } from '../errors.ts';
import type { LocalProvisionedStores } from '../local-provisioner.ts';
import type { StoreKind } from '../provisioner.ts';

export interface StoreProcessControl extends AsyncDisposable {
  /** SIGKILL the store's server (its process group); resolves once every process of it is gone. */
  kill(kind: StoreKind): Promise<void>;
  /** Start it again on the same port and data directory; resolves when it answers. */
  restart(kind: StoreKind): Promise<void>;
  /** SIGSTOP its process group and every descendant: connections stay open, nothing answers. */
  pause(kind: StoreKind): void;
  /** SIGCONT its process group. */
  resume(kind: StoreKind): void;
  isPaused(kind: StoreKind): boolean;
}

/** timescaledb is served by the postgres server in local mode: a fault on either hits both. */
const serverKind = (kind: StoreKind): StoreKind => (kind === 'timescaledb' ? 'postgres' : kind);

export function storeProcessControl(stores: LocalProvisionedStores): StoreProcessControl {
  const paused = new Set<StoreKind>();
  const pidOf = (kind: StoreKind, what: string): number => {
    const pid = stores.pids[serverKind(kind)];
    if (pid === undefined || stores.endpoints[kind] === undefined)
      throw new ProvisionError(kind, `${what}: not a store this run started in local mode`);
    return pid;
  };
  const signalGroup = (kind: StoreKind, signal: NodeJS.Signals) => {
    const pid = pidOf(kind, signal);
    try {
      process.kill(-pid, signal);
    } catch (error) {
      throw new ProvisionError(kind, `${signal} to process group ${pid} failed`, { cause: error });
    }
    // PostgreSQL's backends each call setsid(): they are not in the postmaster's group, and a paused
    // postmaster alone would leave every open connection answering. Signal the whole tree too.
    for (const child of descendantsOf(pid)) {
      try {
        process.kill(child, signal);
      } catch {
        // exited in between
      }
    }
  };
  const resume = (kind: StoreKind) => {
    const server = serverKind(kind);
    if (!paused.has(server)) return;
    signalGroup(kind, 'SIGCONT');
    paused.delete(server);
  };
  const control: StoreProcessControl = {
    async kill(kind) {
      pidOf(kind, 'kill');
      // SIGKILL reaches a stopped process too; forget the pause so nothing SIGCONTs a reused pid.
      paused.delete(serverKind(kind));
      await stores.kill(kind, 'SIGKILL');
    },
    async restart(kind) {
      // A paused server would sit out its clean stop's grace period: let it run to stop it.
      resume(kind);
      await stores.restart(kind);
    },
    pause(kind) {
      const server = serverKind(kind);
      if (paused.has(server)) return;
      signalGroup(kind, 'SIGSTOP');
      paused.add(server);
    },
    resume,
    isPaused: (kind) => paused.has(serverKind(kind)),
    [Symbol.asyncDispose]() {
      for (const kind of [...paused]) {
        try {
          resume(kind);
        } catch {
          // already gone (killed, stopped): nothing left to resume
        }
      }
      return Promise.resolve();
    },
  };
  return control;
}

/** Every live descendant of `root` (from /proc; none where there is no /proc). */
export function descendantsOf(root: number): number[] {
  const children = new Map<number, number[]>();
  let entries: string[];
  try {
    entries = readdirSync('/proc');
  } catch {
    return [];
  }
  for (const entry of entries) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      // "pid (comm) state ppid …": comm may hold spaces and parentheses, so read after the last ')'.
      const stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
      const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
      const list = children.get(ppid) ?? [];
      list.push(Number(entry));
      children.set(ppid, list);
    } catch {
      // exited while we looked
    }
  }
  const out: number[] = [];
  const queue = [...(children.get(root) ?? [])];
  while (queue.length > 0) {
    const pid = queue.shift()!;
    out.push(pid);
    queue.push(...(children.get(pid) ?? []));
  }
  return out;
}

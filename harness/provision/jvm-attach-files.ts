// A JVM that has used its attach mechanism (Elasticsearch 9 attaches its entitlement agent to
// itself) listens on /tmp/.java_pid<pid>, a socket it removes only when it exits cleanly. A server
// killed on purpose (outage tests, the exit handler, the SIGKILL after a stop's grace) leaves it
// behind: after a server's process group is gone, its members' sockets are removed.
import { lstatSync, readdirSync, readFileSync, unlinkSync } from 'node:fs';
import { join } from 'node:path';

/** HotSpot puts the socket in /tmp on Linux whatever java.io.tmpdir says. */
export const ATTACH_DIR = '/tmp';

/** Pids of the live processes in the group led by `leader` (empty without /proc). */
export function groupMembers(leader: number, proc = '/proc'): number[] {
  let entries: string[];
  try {
    entries = readdirSync(proc);
  } catch {
    return [];
  }
  const members: number[] = [];
  for (const entry of entries) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      // The command name in parentheses may hold spaces and ')': the fields after the last ')' are fixed.
      const stat = readFileSync(join(proc, entry, 'stat'), 'utf8');
      const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      if (Number(fields[2]) === leader) members.push(Number(entry));
    } catch {
      // gone meanwhile
    }
  }
  return members;
}

/** Remove the attach sockets of `pids` (only sockets, only these names); never throws. */
export function removeAttachSockets(pids: readonly number[], dir = ATTACH_DIR): number {
  let removed = 0;
  for (const pid of pids) {
    const path = join(dir, `.java_pid${pid}`);
    try {
      if (!lstatSync(path).isSocket()) continue;
      unlinkSync(path);
      removed += 1;
    } catch {
      // none, or not ours to remove
    }
  }
  return removed;
}

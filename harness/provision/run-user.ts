// Who the servers run as. PostgreSQL and Elasticsearch refuse root, so as root they run as a dedicated
// system user `dalbench` (created once, no home, no login shell); otherwise as the current user.
import { chownSync, mkdirSync, rmdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ProvisionError } from './errors.ts';
import { CommandError, runCommand } from './run-command.ts';

export const RUN_USER_NAME = 'dalbench';

export interface RunUser {
  readonly name: string;
  /** Set only when servers must switch user (we are root). */
  readonly uid: number | undefined;
  readonly gid: number | undefined;
}

export async function resolveRunUser(log: (line: string) => void): Promise<RunUser> {
  if (process.getuid?.() !== 0) return { name: 'current user', uid: undefined, gid: undefined };
  let ids = await lookupIds(RUN_USER_NAME);
  if (!ids) {
    log(`running as root: creating system user ${RUN_USER_NAME} for servers that refuse root`);
    try {
      await runCommand('useradd', [
        '--system',
        '--no-create-home',
        '--shell',
        '/usr/sbin/nologin',
        RUN_USER_NAME,
      ]);
    } catch (error) {
      // Exit 9 = exists: another run created it meanwhile, which is fine.
      if (!(error instanceof CommandError && error.exitCode === 9)) {
        throw new ProvisionError('provisioner', `could not create system user ${RUN_USER_NAME}`, {
          cause: error,
        });
      }
    }
    ids = await lookupIds(RUN_USER_NAME);
    if (!ids)
      throw new ProvisionError('provisioner', `system user ${RUN_USER_NAME} still missing after useradd`);
  }
  return { name: RUN_USER_NAME, ...ids };
}

/** mkdir -p a directory the run user owns (mode 0700 unless told otherwise). */
export function makeOwnedDir(path: string, user: RunUser, mode = 0o700): string {
  mkdirSync(path, { recursive: true, mode });
  if (user.uid !== undefined && user.gid !== undefined) chownSync(path, user.uid, user.gid);
  return path;
}

async function lookupIds(name: string): Promise<{ uid: number; gid: number } | undefined> {
  try {
    const line = (await runCommand('getent', ['passwd', name])).trim();
    const [, , uid, gid] = line.split(':');
    const ids = { uid: Number(uid), gid: Number(gid) };
    return Number.isInteger(ids.uid) && Number.isInteger(ids.gid) ? ids : undefined;
  } catch {
    return undefined;
  }
}

/**
 * A JVM started without -XX:-UsePerfData (an older run, a helper JVM) leaves /tmp/hsperfdata_<user>; remove it
 * when it is our dedicated user's and empty (rmdir fails harmlessly while another JVM of that user uses it).
 */
export function removeEmptyPerfDataDir(user: RunUser): void {
  if (user.uid === undefined) return;
  try {
    rmdirSync(join(tmpdir(), `hsperfdata_${user.name}`));
  } catch {
    // absent or in use
  }
}

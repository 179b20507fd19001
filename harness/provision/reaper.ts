// Reaps what a crashed run left behind: `dalbench-*` temp dirs whose owner process is dead.
import { readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { isAlive, killGroupNow, processBelongsTo } from './process-alive.ts';
import { OWNER_FILE, OWNER_TOOL, RUN_DIR_PREFIX, type OwnerRecord } from './run-dir.ts';

export interface ReapResult {
  readonly dir: string;
  readonly killed: readonly number[];
}

export async function reapStaleRunDirs(
  parent = tmpdir(),
  log: (line: string) => void = () => {},
): Promise<ReapResult[]> {
  const reaped: ReapResult[] = [];
  let names: string[];
  try {
    names = readdirSync(parent).filter((name) => name.startsWith(RUN_DIR_PREFIX));
  } catch {
    return reaped;
  }
  for (const name of names) {
    const dir = join(parent, name);
    const owner = readOwner(dir);
    if (!owner || isAlive(owner.ownerPid)) continue;
    const killed = owner.childPids.filter((pid) => isAlive(pid) && processBelongsTo(pid, dir));
    for (const pid of killed) killGroupNow(pid);
    await waitGone(killed, 3_000);
    rmSync(dir, { recursive: true, force: true, maxRetries: 3 });
    log(`reaped stale ${dir} (owner pid ${owner.ownerPid} is gone; killed ${killed.length} server(s))`);
    reaped.push({ dir, killed });
  }
  return reaped;
}

function readOwner(dir: string): OwnerRecord | undefined {
  try {
    const parsed = JSON.parse(readFileSync(join(dir, OWNER_FILE), 'utf8')) as Partial<OwnerRecord>;
    if (parsed.tool !== OWNER_TOOL || typeof parsed.ownerPid !== 'number') return undefined;
    const childPids = Array.isArray(parsed.childPids)
      ? parsed.childPids.filter((p) => Number.isInteger(p) && p > 0)
      : [];
    return { ...parsed, childPids } as OwnerRecord;
  } catch {
    return undefined;
  }
}

async function waitGone(pids: readonly number[], boundMs: number): Promise<void> {
  const deadline = Date.now() + boundMs;
  while (pids.some(isAlive) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
}

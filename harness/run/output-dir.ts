// Where a run writes: --out DIR, else reports/<timestamp>/ with reports/latest pointing at it.
import { mkdir, rm, symlink } from 'node:fs/promises';
import path from 'node:path';

export const REPORTS_DIR = 'reports';

export function defaultOutDir(startedAt: Date, cwd = process.cwd()): string {
  return path.join(cwd, REPORTS_DIR, startedAt.toISOString().replace(/[:.]/g, '-'));
}

/** Point reports/latest at `dir` (relative link, replaced atomically enough for one writer). */
export async function linkLatest(dir: string): Promise<string> {
  const parent = path.dirname(dir);
  const link = path.join(parent, 'latest');
  await mkdir(parent, { recursive: true });
  await rm(link, { force: true });
  await symlink(path.basename(dir), link);
  return link;
}

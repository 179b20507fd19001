// The DAL's own cost per path, as `npm run bench:dal` last measured it, kept per store so that
// `dalbench run` can record it beside a profile comparison when it ran on the same stores: the same
// server software in the same mode on the same host (local servers get new ports every start, so
// ports are not part of the identity; an external server is identified by its redacted URL).
import { existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { hostname } from 'node:os';
import { dirname, join } from 'node:path';
import { z } from 'zod';
import { redactUrl } from '../../reference-dal/errors.ts';
import { defaultCacheDir } from '../provision/artifact-cache.ts';
import { storeOverheadSchema, type RunDalOverhead, type StoreOverhead } from '../results/schema.ts';

export const DAL_OVERHEAD_FILE = 'dal-overhead.json';

export interface StoreIdentitySource {
  readonly kind: string;
  readonly mode: string;
  readonly url: string;
  readonly serverVersion: string;
}

const recordFileSchema = z.object({
  kind: z.literal('dalbench-dal-overhead'),
  stores: z.record(z.string(), storeOverheadSchema),
});

export function storeIdentity(store: StoreIdentitySource, host = hostname()): string {
  const where = store.mode === 'external' ? redactUrl(store.url) : host;
  return `${store.kind} ${store.serverVersion} (${store.mode}) on ${where}`;
}

export function defaultOverheadFile(env: NodeJS.ProcessEnv = process.env): string {
  return join(defaultCacheDir(env), DAL_OVERHEAD_FILE);
}

/** The stored records, keyed by identity; an absent file is empty, a corrupt one an error naming it. */
export function readOverheadRecords(file: string): Record<string, StoreOverhead> {
  if (!existsSync(file)) return {};
  let parsed: unknown;
  try {
    parsed = JSON.parse(readFileSync(file, 'utf8'));
  } catch (error) {
    throw new Error(`${file}: not valid JSON (${(error as Error).message}); delete it to start afresh`, {
      cause: error,
    });
  }
  const checked = recordFileSchema.safeParse(parsed);
  if (!checked.success) {
    const issue = checked.error.issues[0];
    throw new Error(
      `${file}: not a dalbench DAL overhead record (${issue?.path.join('.') || 'root'}: ${issue?.message}); delete it to start afresh`,
    );
  }
  return checked.data.stores;
}

/** Merge `measured` into the file (one entry per store identity), written atomically. */
export function writeOverheadRecords(file: string, measured: readonly StoreOverhead[]): void {
  const stores = { ...readOverheadRecords(file) };
  for (const entry of measured) stores[entry.identity] = entry;
  mkdirSync(dirname(file), { recursive: true });
  const temp = `${file}.${process.pid}.tmp`;
  writeFileSync(temp, `${JSON.stringify({ kind: 'dalbench-dal-overhead', stores }, null, 2)}\n`);
  renameSync(temp, file);
}

/** The overhead entries that apply to a run's stores, and for the others why none does. */
export function overheadForRun(
  stores: readonly StoreIdentitySource[],
  records: Readonly<Record<string, StoreOverhead>>,
  host = hostname(),
): RunDalOverhead {
  const measured: StoreOverhead[] = [];
  const notMeasured: Record<string, string> = {};
  for (const store of stores) {
    const identity = storeIdentity(store, host);
    const found = records[identity];
    if (found) measured.push(found);
    else
      notMeasured[store.kind] =
        `not measured on ${identity}: run \`npm run bench:dal\` against the same stores to record it`;
  }
  return { measured, notMeasured };
}

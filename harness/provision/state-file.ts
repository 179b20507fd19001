// The state file of `dalbench stores up`: which process holds the stores and their URLs, so `status` and
// `down` (other processes) can find them. Contains credentials of throwaway stores: written mode 0600.
import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { z } from 'zod';
import { defaultCacheDir } from './artifact-cache.ts';
import { ProvisionConfigError } from './errors.ts';
import { STORE_KINDS } from './provisioner.ts';

const endpointSchema = z.object({
  kind: z.enum(STORE_KINDS),
  url: z.string(),
  mode: z.enum(['local', 'docker', 'external']),
  serverVersion: z.string(),
  startMs: z.number(),
  notes: z.array(z.string()).readonly(),
});

export const storesStateSchema = z.object({
  pid: z.number().int().positive(),
  mode: z.enum(['local', 'docker', 'external']),
  startedAt: z.string(),
  endpoints: z.array(endpointSchema),
  unavailable: z.record(z.string(), z.string()),
});
export type StoresState = z.infer<typeof storesStateSchema>;

/** `$XDG_RUNTIME_DIR/dalbench/stores.json`, else `<cache dir>/stores.json`. */
export function defaultStateFile(env: NodeJS.ProcessEnv = process.env): string {
  const runtime = env['XDG_RUNTIME_DIR'];
  return runtime && runtime.startsWith('/')
    ? join(runtime, 'dalbench', 'stores.json')
    : join(defaultCacheDir(env), 'stores.json');
}

export function writeStateFile(path: string, state: StoresState): void {
  mkdirSync(dirname(path), { recursive: true });
  writeFileSync(path, `${JSON.stringify(state, null, 2)}\n`, { mode: 0o600 });
}

/** The state, or undefined when there is no file; throws ProvisionConfigError naming the file when it is bad. */
export function readStateFile(path: string): StoresState | undefined {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw new ProvisionConfigError(path, 'cannot read the stores state file', { cause: error });
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (error) {
    throw new ProvisionConfigError(path, 'not JSON', { cause: error });
  }
  const parsed = storesStateSchema.safeParse(json);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new ProvisionConfigError(`${path}: ${issue?.path.join('.') ?? ''}`, issue?.message ?? 'invalid', {
      cause: parsed.error,
    });
  }
  return parsed.data;
}

/** Removes the file only if it still belongs to `pid` (a newer `up` may have replaced it). */
export function removeStateFile(path: string, pid: number): void {
  try {
    if (readStateFile(path)?.pid === pid) rmSync(path, { force: true });
  } catch {
    // unreadable: leave it for the user to inspect
  }
}

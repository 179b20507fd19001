// `dalbench run` against given store URLs (external mode): the environment that names exactly those
// stores, and the arguments of a short quick run of one scenario on polyglot.
import { STORE_ENV } from '../../harness/provision/external-provisioner.ts';
import type { StoreKind } from '../../harness/provision/provisioner.ts';

/** This process's environment with external mode and only `urls` as stores (nothing inherited). */
export function externalStoresEnv(urls: Partial<Record<StoreKind, string>>): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { ...process.env, DALBENCH_STORES: 'external' };
  for (const variable of Object.values(STORE_ENV)) delete env[variable];
  for (const name of ['ENDPOINT', 'ACCESS_KEY_ID', 'SECRET_ACCESS_KEY', 'REGION'])
    delete env[`DALBENCH_S3_${name}`];
  for (const [kind, url] of Object.entries(urls)) env[STORE_ENV[kind as StoreKind]] = url;
  return env;
}

/** Half a second of realtime-detection on polyglot, one worker, results in `out`. */
export function quickRunArgs(out: string, extra: readonly string[] = []): string[] {
  return [
    'run',
    '--quick',
    '--stores',
    'external',
    '--scenario',
    'realtime-detection',
    '--profile',
    'polyglot',
    '--duration',
    '500ms',
    '--warmup',
    '100ms',
    '--concurrency',
    '1',
    ...extra,
    '--out',
    out,
  ];
}

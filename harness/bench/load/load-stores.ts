// Which stores `npm run bench:load` measures: DALBENCH_LOAD_STORES, a comma-separated subset of
// postgres, elasticsearch, s3 (default all three), so one loader can be measured at a size where the
// others would take most of the time (at m, PostgreSQL's 15 M points are loaded four ways).
import type { StoreKind } from '../../provision/provisioner.ts';

export const LOAD_STORES = ['postgres', 'elasticsearch', 's3'] as const satisfies readonly StoreKind[];
export type LoadStore = (typeof LOAD_STORES)[number];

/** The stores named in `value` (undefined or blank: all), each once; anything else names the variable. */
export function parseLoadStores(value: string | undefined, input = 'DALBENCH_LOAD_STORES'): LoadStore[] {
  if (value === undefined || value.trim() === '') return [...LOAD_STORES];
  const names = value.split(',').map((n) => n.trim());
  const out: LoadStore[] = [];
  for (const name of names) {
    if (!(LOAD_STORES as readonly string[]).includes(name))
      throw new Error(`${input}: "${name}" is not one of ${LOAD_STORES.join(', ')} (got "${value}")`);
    if (out.includes(name as LoadStore)) throw new Error(`${input}: ${name} is named twice (got "${value}")`);
    out.push(name as LoadStore);
  }
  return out;
}

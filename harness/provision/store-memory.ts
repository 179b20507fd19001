// The memory dalbench gives the stores it starts (local and docker modes): PostgreSQL's
// shared_buffers and work_mem, Elasticsearch's heap. It follows the largest data size of the run
// (one configuration for a whole sweep, so sizes are compared on the same stores), can be set by
// hand with --store-memory, and is written in each store's notes so a report says what each had.
// External stores keep their own configuration.
import type { ScaleSpec } from '../data/scale.ts';
import { ProvisionConfigError } from './errors.ts';

export interface StoreMemory {
  readonly postgres: { readonly sharedBuffersMb: number; readonly workMemMb: number };
  readonly elasticsearch: { readonly heapMb: number };
  /** Why these sizes: "default", "sized for scale m", "--store-memory". */
  readonly basis: string;
}

/** PostgreSQL's own defaults and the 512 MiB heap the quick and full suites have always run with. */
export const DEFAULT_STORE_MEMORY: StoreMemory = {
  postgres: { sharedBuffersMb: 128, workMemMb: 4 },
  elasticsearch: { heapMb: 512 },
  basis: 'default',
};

/**
 * By data size: shared_buffers about a quarter of the time-series table at `m` (15 M points ≈ 1.5 GiB
 * with indexes), the Elasticsearch heap large enough for `m`'s 200 k documents with room for
 * aggregations; `l` assumes a machine with 32 GiB or more.
 */
const BY_FACTOR: readonly { readonly upTo: number; readonly memory: Omit<StoreMemory, 'basis'> }[] = [
  { upTo: 1, memory: { postgres: { sharedBuffersMb: 128, workMemMb: 4 }, elasticsearch: { heapMb: 512 } } },
  {
    upTo: 25,
    memory: { postgres: { sharedBuffersMb: 512, workMemMb: 16 }, elasticsearch: { heapMb: 1024 } },
  },
  {
    upTo: Number.POSITIVE_INFINITY,
    memory: { postgres: { sharedBuffersMb: 4096, workMemMb: 64 }, elasticsearch: { heapMb: 4096 } },
  },
];

/** The memory for the largest of `scales` (none: the default). */
export function memoryForScales(scales: readonly ScaleSpec[] | undefined): StoreMemory {
  if (!scales || scales.length === 0) return DEFAULT_STORE_MEMORY;
  const largest = scales.reduce((a, b) => (b.factor > a.factor ? b : a));
  const step = BY_FACTOR.find((s) => largest.factor <= s.upTo) ?? BY_FACTOR[BY_FACTOR.length - 1]!;
  return { ...step.memory, basis: `sized for scale ${largest.name}` };
}

const KEYS = {
  'postgres.shared_buffers': (m: Mutable, mb: number) => (m.postgres.sharedBuffersMb = mb),
  'postgres.work_mem': (m: Mutable, mb: number) => (m.postgres.workMemMb = mb),
  'elasticsearch.heap': (m: Mutable, mb: number) => (m.elasticsearch.heapMb = mb),
} as const;

interface Mutable {
  postgres: { sharedBuffersMb: number; workMemMb: number };
  elasticsearch: { heapMb: number };
}

const LIMITS: Readonly<Record<keyof typeof KEYS, { min: number; max: number }>> = {
  'postgres.shared_buffers': { min: 16, max: 1024 * 1024 },
  'postgres.work_mem': { min: 1, max: 64 * 1024 },
  'elasticsearch.heap': { min: 256, max: 31 * 1024 }, // above ~31 GiB the JVM loses compressed pointers
};

/**
 * `postgres.shared_buffers=1GB,elasticsearch.heap=2GB` over `base`: sizes in MB or GB (MiB/GiB), each
 * key once; anything else is a ProvisionConfigError naming `input` and the entry.
 */
export function parseStoreMemory(raw: string, base: StoreMemory, input = '--store-memory'): StoreMemory {
  const out: Mutable = { postgres: { ...base.postgres }, elasticsearch: { ...base.elasticsearch } };
  const seen = new Set<string>();
  const entries = raw.split(',').map((e) => e.trim());
  if (entries.some((e) => e === ''))
    throw new ProvisionConfigError(input, `"${raw}": empty entry; expected KEY=SIZE[,KEY=SIZE…]`);
  for (const entry of entries) {
    const match = /^([a-z_.]+)=(\d+)\s*(MB|GB|MiB|GiB)$/i.exec(entry);
    const key = match?.[1] as keyof typeof KEYS | undefined;
    if (!match || !key || !Object.hasOwn(KEYS, key)) {
      throw new ProvisionConfigError(
        input,
        `"${entry}": expected KEY=SIZE with KEY one of ${Object.keys(KEYS).join(', ')} and SIZE like 512MB or 2GB`,
      );
    }
    if (seen.has(key)) throw new ProvisionConfigError(input, `${key} is given twice`);
    seen.add(key);
    const mb = Number(match[2]) * (/^g/i.test(match[3]!) ? 1024 : 1);
    const { min, max } = LIMITS[key];
    if (mb < min || mb > max)
      throw new ProvisionConfigError(input, `${key}=${match[2]}${match[3]}: expected ${min}–${max} MB`);
    KEYS[key](out, mb);
  }
  return { ...out, basis: `--store-memory ${raw}` };
}

/** PostgreSQL `-c` settings. */
export function postgresMemorySettings(memory: StoreMemory): string[] {
  return [`shared_buffers=${memory.postgres.sharedBuffersMb}MB`, `work_mem=${memory.postgres.workMemMb}MB`];
}

/** The Elasticsearch JVM's fixed heap (-Xms = -Xmx, as Elasticsearch recommends). */
export function elasticsearchHeapOptions(memory: StoreMemory): string {
  return `-Xms${memory.elasticsearch.heapMb}m -Xmx${memory.elasticsearch.heapMb}m`;
}

/** The line a store's notes carry, so results and reports say what each store had. */
export function memoryNote(kind: 'postgres' | 'elasticsearch', memory: StoreMemory): string {
  return kind === 'postgres'
    ? `memory: shared_buffers ${memory.postgres.sharedBuffersMb} MiB, work_mem ${memory.postgres.workMemMb} MiB (${memory.basis})`
    : `memory: heap ${memory.elasticsearch.heapMb} MiB (${memory.basis})`;
}

// What the scenario hands the second client's thread (plain data: structured-cloned into the
// worker, SharedArrayBuffers shared) and what the thread answers. Validated on the worker's side.
import { z } from 'zod';

export const secondClientSetupSchema = z
  .object({
    /** Storage configs of the types the readers use (transactional, cache): the worker opens its own. */
    configs: z.array(z.record(z.string(), z.unknown())).min(1),
    /** CacheManager options (prefix, TTL, stale-fill guard) equal to the profile's own; absent: no cache. */
    cache: z.record(z.string(), z.unknown()).optional(),
    board: z.object({
      versions: z.instanceof(SharedArrayBuffer),
      counters: z.instanceof(SharedArrayBuffer),
    }),
    /** Concurrent read loops. */
    readers: z.number().int().min(1).max(64),
    /** Key distribution of the reads (a harness key distribution spec). */
    keys: z.record(z.string(), z.unknown()),
    /** Key index k reads the entity `${idPrefix}${k}`, cached under `cache.key(namespace, id)`. */
    idPrefix: z.string(),
    namespace: z.string().min(1),
    seed: z.number().int(),
    /**
     * Extra time each load takes after its query returned (a client farther from the database, or
     * busier). A stale fill needs a load that outlives a write; this makes such loads common.
     */
    loadDelayMs: z.number().int().min(0).max(10_000).default(0),
  })
  .strict();

export type SecondClientSetup = z.input<typeof secondClientSetupSchema>;

export type SecondClientMessage =
  | { readonly type: 'ready' }
  | { readonly type: 'error'; readonly message: string }
  | { readonly type: 'failed'; readonly message: string }
  | { readonly type: 'stopped' };

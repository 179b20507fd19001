// Defect profiles for failure isolation, built from the polyglot profile:
// - no circuit breaker and the client libraries' default timeouts and retry schedule: a call to a store
//   that refuses connections fails only after the Elasticsearch client's default backoff (the reference
//   backend always installs its fast-retry transport, so the default schedule is served by a wrapper
//   that waits it out after each real failure);
// - an outage that never reaches the DAL: Elasticsearch configured past the run's fault proxy.
import { StoreError } from '../../../reference-dal/errors.ts';
import type { StorageConfigInput } from '../../../reference-dal/config/storage-config.ts';
import { polyglotProfile } from '../../../reference-dal/profiles/builtin-profiles.ts';
import { defineProfile, type Profile } from '../../../reference-dal/profiles/profile.ts';

/**
 * @elastic/transport's default retry backoff (Transport.js `retryBackoff(0, 4, attempt)`): before retry
 * `a` it waits ceiling + U(0, ceiling) seconds, ceiling = min(4, 2^a) / 2. Taken at the middle of each
 * interval: 1.5 s, 3 s, 3 s for the default 3 retries.
 */
export function clientDefaultRetryWaitMs(retries: number): number {
  let total = 0;
  for (let attempt = 1; attempt <= retries; attempt++) total += 1.5 * (Math.min(4, 2 ** attempt) / 2) * 1000;
  return total;
}

/** `service` whose async methods, when the store fails them, fail only after `waitMs` more. */
export function failingSlowly<T extends object>(service: T, waitMs: number): T {
  return new Proxy(service, {
    get(target, property) {
      const value: unknown = Reflect.get(target, property, target);
      if (typeof value !== 'function') return value;
      const method = value as (...args: unknown[]) => unknown;
      return (...args: unknown[]) => {
        const out = method.apply(target, args);
        if (!(out instanceof Promise)) return out;
        return out.catch(async (error: unknown) => {
          if (error instanceof StoreError) await new Promise((resolve) => setTimeout(resolve, waitMs));
          throw error;
        });
      };
    },
  });
}

/** The client libraries' defaults (storage-config's timeoutMs / retryAttempts), and no breaker. */
function withoutBreaker(config: StorageConfigInput): StorageConfigInput {
  return config.type === 'transactional'
    ? config
    : { ...config, circuitBreaker: false, timeoutMs: 30_000, retryAttempts: 3 };
}

export const noBreakerProfile: Profile = defineProfile({
  name: 'isolation-no-breaker',
  description:
    "defect: no circuit breaker, client default timeouts, and Elasticsearch's default retry schedule (≈7.5 s to give up on a refused connection)",
  requires: [...polyglotProfile.requires],
  optional: [...polyglotProfile.optional],
  storage(env) {
    const base = polyglotProfile.storage(env);
    return {
      ...base,
      configs: base.configs.map(withoutBreaker),
      wrap: { document: (documents) => failingSlowly(documents, clientDefaultRetryWaitMs(3)) },
    };
  },
});

/** Polyglot with Elasticsearch at `directUrl`: the run's proxy, and so its cut, never sees the traffic. */
export function unfaultedProfile(directUrl: string): Profile {
  return defineProfile({
    name: 'isolation-unfaulted',
    description: 'defect: Elasticsearch reached past the fault proxy, so the outage is never injected',
    requires: [...polyglotProfile.requires],
    optional: [...polyglotProfile.optional],
    storage(env) {
      const base = polyglotProfile.storage(env);
      return {
        ...base,
        configs: base.configs.map((c) => (c.type === 'document' ? { ...c, url: directUrl } : c)),
      };
    },
  });
}

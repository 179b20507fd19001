// What a test file knows of the stores the global setup started: their endpoints, or why one is missing.
import { inject } from 'vitest';
import type { ProvisionedStores, StoreEndpoint, StoreKind } from '../../harness/provision/provisioner.ts';

export interface ProvidedStores {
  endpoints: Partial<Record<StoreKind, StoreEndpoint>>;
  unavailable: Partial<Record<StoreKind, string>>;
}

declare module 'vitest' {
  export interface ProvidedContext {
    dalbenchStores: ProvidedStores;
  }
}

export function storeEndpoint(kind: StoreKind): StoreEndpoint | undefined {
  return inject('dalbenchStores').endpoints[kind];
}

/** Why a store is not there (for `describe.skipIf(...)` messages), or undefined when it is. */
export function unavailableReason(kind: StoreKind): string | undefined {
  const stores = inject('dalbenchStores');
  if (stores.endpoints[kind]) return undefined;
  return stores.unavailable[kind] ?? `${kind} was not requested by the test run`;
}

export function requireStore(kind: StoreKind): StoreEndpoint {
  const endpoint = storeEndpoint(kind);
  if (!endpoint) throw new Error(`test needs ${kind}, which is unavailable: ${unavailableReason(kind)}`);
  return endpoint;
}

/** The test run's stores, lent to a run (the global setup owns and stops them: stop is a no-op). */
export function lentStores(kinds: readonly StoreKind[]): ProvisionedStores {
  const endpoints = Object.fromEntries(
    kinds.flatMap((k) => {
      const e = storeEndpoint(k);
      return e ? [[k, e]] : [];
    }),
  );
  return { endpoints, unavailable: {}, stop: async () => {}, [Symbol.asyncDispose]: async () => {} };
}

// A circuit breaker per store: after `failureThreshold` consecutive store failures the circuit
// opens and calls fail at once with CircuitOpenError for `cooldownMs`; then one trial call is let
// through (half-open) and its outcome closes or re-opens the circuit. This is what keeps a dead
// store from holding callers for its client's full retry schedule — failure isolation (ADR-024)
// that does not depend on every caller setting a deadline.
import { StoreError, type StoreName } from '../errors.ts';

export interface CircuitBreakerSettings {
  readonly failureThreshold: number;
  readonly cooldownMs: number;
}

export type CircuitState = 'closed' | 'open' | 'half-open';

export interface CircuitStats {
  readonly state: CircuitState;
  /** Times the circuit opened. */
  readonly opened: number;
  /** Calls refused while open. */
  readonly rejected: number;
}

export class CircuitOpenError extends StoreError {
  override name = 'CircuitOpenError';
}

export class CircuitBreaker {
  readonly #store: StoreName;
  readonly #url: string;
  readonly #settings: CircuitBreakerSettings;
  readonly #now: () => number;
  #state: CircuitState = 'closed';
  #consecutiveFailures = 0;
  #openedAt = 0;
  #opened = 0;
  #rejected = 0;
  #trialInFlight = false;

  constructor(store: StoreName, url: string, settings: CircuitBreakerSettings, now: () => number = Date.now) {
    this.#store = store;
    this.#url = url;
    this.#settings = settings;
    this.#now = now;
  }

  stats(): CircuitStats {
    return { state: this.#state, opened: this.#opened, rejected: this.#rejected };
  }

  async run<T>(call: () => Promise<T>): Promise<T> {
    this.#admit();
    try {
      const result = await call();
      this.#succeeded();
      return result;
    } catch (error) {
      this.#failed(error);
      throw error;
    }
  }

  #admit(): void {
    if (this.#state === 'open' && this.#now() - this.#openedAt >= this.#settings.cooldownMs) {
      this.#state = 'half-open';
    }
    if (this.#state === 'open' || (this.#state === 'half-open' && this.#trialInFlight)) {
      this.#rejected++;
      throw new CircuitOpenError(
        this.#store,
        `circuit open after ${this.#settings.failureThreshold} consecutive failures; retrying in ≤ ${this.#settings.cooldownMs} ms (see the "circuitBreaker" storage option)`,
        { url: this.#url },
      );
    }
    if (this.#state === 'half-open') this.#trialInFlight = true;
  }

  #succeeded(): void {
    this.#consecutiveFailures = 0;
    this.#trialInFlight = false;
    this.#state = 'closed';
  }

  #failed(error: unknown): void {
    this.#trialInFlight = false;
    // Only a store failure counts; a rejected input or a version conflict says nothing of the store's health.
    if (!(error instanceof StoreError) || error instanceof CircuitOpenError) {
      if (this.#state === 'half-open') this.#state = 'closed';
      return;
    }
    this.#consecutiveFailures++;
    if (this.#state === 'half-open' || this.#consecutiveFailures >= this.#settings.failureThreshold) {
      if (this.#state !== 'open') this.#opened++;
      this.#state = 'open';
      this.#openedAt = this.#now();
    }
  }
}

/**
 * The same service with the named async methods run through `breaker`. Methods are called on the
 * original object (so private fields keep working); everything else passes through untouched.
 */
export function guardService<T extends object>(
  service: T,
  methods: readonly string[],
  breaker: CircuitBreaker,
): T {
  const guarded = new Set(methods);
  return new Proxy(service, {
    get(target, property, _receiver) {
      const value: unknown = Reflect.get(target, property, target);
      if (typeof property !== 'string' || !guarded.has(property) || typeof value !== 'function') {
        return typeof value === 'function' ? (value as (...a: unknown[]) => unknown).bind(target) : value;
      }
      const method = value as (...args: unknown[]) => Promise<unknown>;
      return (...args: unknown[]) => breaker.run(() => method.apply(target, args));
    },
  });
}

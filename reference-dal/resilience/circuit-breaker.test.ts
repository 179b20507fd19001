import { describe, expect, it } from 'vitest';
import { StoreError, ValidationError } from '../errors.ts';
import { CircuitBreaker, CircuitOpenError, guardService } from './circuit-breaker.ts';

const down = () => Promise.reject(new StoreError('elasticsearch', 'connect ECONNREFUSED'));

describe('CircuitBreaker', () => {
  it('opens after consecutive store failures, refuses at once, then lets one trial through', async () => {
    let now = 0;
    const breaker = new CircuitBreaker(
      'elasticsearch',
      'http://es',
      { failureThreshold: 3, cooldownMs: 1000 },
      () => now,
    );
    for (let i = 0; i < 3; i++) await expect(breaker.run(down)).rejects.toThrow('ECONNREFUSED');
    expect(breaker.stats()).toMatchObject({ state: 'open', opened: 1 });
    let called = false;
    await expect(
      breaker.run(() => {
        called = true;
        return Promise.resolve(1);
      }),
    ).rejects.toBeInstanceOf(CircuitOpenError);
    expect(called).toBe(false);
    expect(breaker.stats().rejected).toBe(1);

    now = 1000; // cooldown over: one trial; it fails → open again
    await expect(breaker.run(down)).rejects.toThrow('ECONNREFUSED');
    expect(breaker.stats()).toMatchObject({ state: 'open', opened: 2 });
    now = 2000; // next trial succeeds → closed
    await expect(breaker.run(() => Promise.resolve('ok'))).resolves.toBe('ok');
    expect(breaker.stats().state).toBe('closed');
  });

  it('does not count input errors, and a success resets the streak', async () => {
    const breaker = new CircuitBreaker('s3', 'http://s3', { failureThreshold: 2, cooldownMs: 1000 });
    const bad = () => Promise.reject(new ValidationError('key', 'empty'));
    for (let i = 0; i < 5; i++) await expect(breaker.run(bad)).rejects.toBeInstanceOf(ValidationError);
    await expect(breaker.run(down)).rejects.toThrow();
    await breaker.run(() => Promise.resolve());
    await expect(breaker.run(down)).rejects.toThrow();
    expect(breaker.stats().state).toBe('closed');
  });

  it('guards only the named methods and keeps private fields working', async () => {
    class Repo {
      #calls = 0;
      async search(): Promise<number> {
        this.#calls++;
        return Promise.reject(new StoreError('elasticsearch', `down (${this.#calls})`));
      }
      name(): string {
        return `repo after ${this.#calls} calls`;
      }
    }
    const repo = new Repo();
    const breaker = new CircuitBreaker('elasticsearch', 'http://es', {
      failureThreshold: 1,
      cooldownMs: 60_000,
    });
    const guarded = guardService(repo, ['search'], breaker);
    await expect(guarded.search()).rejects.toThrow('down (1)');
    await expect(guarded.search()).rejects.toBeInstanceOf(CircuitOpenError);
    expect(guarded.name()).toBe('repo after 1 calls');
    expect(guarded instanceof Repo).toBe(true);
  });
});

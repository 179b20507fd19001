// The CacheManager contract, written once and run against any CacheStore backend. Oracles: a plain
// Map (source of truth and model) for coherency, a glob→RegExp translation of the escaped pattern
// for invalidation, and a real PostgreSQL log table for write-behind exactly-once.
import { randomBytes } from 'node:crypto';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { StoreError } from '../../reference-dal/errors.ts';
import { ANY, type KeyPart, type PatternPart } from '../../reference-dal/cache/cache-keys.ts';
import { CacheManager } from '../../reference-dal/cache/cache-manager.ts';
import type { CacheManagerOptionsInput } from '../../reference-dal/cache/cache-options.ts';
import type { CacheStore } from '../../reference-dal/ports/cache.ts';
import { PostgresWriteLog } from './cache-pg-sink.ts';
import { assertProperty } from './support/seed.ts';

export interface CacheContractTarget {
  /** A store connected to the backend under test; the suite disposes of each one it opens. */
  readonly openStore: () => Promise<CacheStore & AsyncDisposable>;
  /** A store pointed at a backend that is down (e.g. a closed port), for fall-through checks. */
  readonly openUnreachableStore?: () => Promise<CacheStore & AsyncDisposable>;
  /** A PostgreSQL database for the write-behind sink; those properties are skipped without it. */
  readonly sinkDatabaseUrl?: () => string | undefined;
}

/** A fresh prefix per manager, so runs, tests and concurrent suites never share a key. */
function freshPrefix(label: string): string {
  return `dalbench-test:${label}-${randomBytes(5).toString('hex')}`;
}

async function withManager<R>(
  store: CacheStore,
  options: CacheManagerOptionsInput,
  body: (manager: CacheManager) => Promise<R>,
): Promise<R> {
  await using manager = new CacheManager(store, options);
  // Awaited here: a bare `return` would dispose the manager before the body has run.
  return await body(manager);
}

/** Parts that would widen a pattern if they reached Redis unescaped. */
const GLOBBY_PARTS = ['a', 'b*', '*', 'c?', '?', '[d]', '[', 'e:f', ':', 'g\\h', '%2A', ''] as const;
const partArb: fc.Arbitrary<KeyPart> = fc.oneof(
  fc.constantFrom<KeyPart>(...GLOBBY_PARTS),
  fc.integer({ min: 0, max: 3 }),
  fc.string({ unit: fc.constantFrom('x', '*', '?', '[', ']', '\\', ':', '%'), maxLength: 3 }),
);
const falsyValues: readonly unknown[] = [0, '', false, null, [], {}];
/** Values without U+0000 (PostgreSQL jsonb refuses it) nor -0 (JSON writes it as 0). */
const valueArb: fc.Arbitrary<unknown> = fc.oneof(
  fc.constantFrom(...falsyValues),
  fc.integer(),
  fc.string({ unit: fc.constantFrom('a', 'b', '*', 'é', ' '), maxLength: 6 }),
  fc.boolean(),
  fc.array(fc.integer({ min: -5, max: 5 }), { maxLength: 3 }),
);

/** Redis glob of an escaped pattern (only `*` is special left in it) as a RegExp. */
function patternRegExp(pattern: string): RegExp {
  const body = pattern
    .split('*')
    .map((piece) => piece.replace(/[.*+?^${}()|[\]\\]/g, '\\$&'))
    .join('.*');
  return new RegExp(`^${body}$`, 's');
}

async function scanAll(store: CacheStore, pattern: string): Promise<Set<string>> {
  const found = new Set<string>();
  for await (const batch of store.scan(pattern, 100)) for (const key of batch) found.add(key);
  return found;
}

export function cacheContract(backend: string, target: CacheContractTarget): void {
  describe(`CacheManager contract: ${backend}`, () => {
    it('keeps falsy values as hits (0, "", false, null, [], {}) and loads each only once', async () => {
      await using store = await target.openStore();
      await withManager(store, { prefix: freshPrefix('falsy') }, async (cache) => {
        for (const [index, value] of falsyValues.entries()) {
          let loads = 0;
          const key = cache.key('falsy', index);
          const loader = () => {
            loads++;
            return value;
          };
          expect(await cache.getOrLoad(key, loader)).toEqual(value);
          expect(await cache.getOrLoad(key, loader)).toEqual(value);
          expect(loads).toBe(1);
          expect(await cache.get(key)).toEqual({ hit: true, value });
        }
        const stats = cache.stats();
        expect(stats.loads).toBe(falsyValues.length);
        expect(stats.hits).toBe(2 * falsyValues.length);
        expect(stats.misses).toBe(falsyValues.length);
      });
    });

    it('round-trips any JSON value through set/get as a hit', async () => {
      await using store = await target.openStore();
      await withManager(store, { prefix: freshPrefix('json') }, async (cache) => {
        await assertProperty(
          fc.asyncProperty(
            fc.jsonValue({ maxDepth: 3 }),
            fc.array(partArb, { maxLength: 3 }),
            async (value, parts) => {
              const key = cache.key('json', ...parts);
              await cache.set(key, value);
              // JSON itself turns -0 into 0: that is the value a JSON cache can promise.
              expect(await cache.get(key)).toEqual({
                hit: true,
                value: JSON.parse(JSON.stringify(value)) as unknown,
              });
            },
          ),
          40,
        );
      });
    });

    it('does not cache an undefined loader result, and caches null', async () => {
      await using store = await target.openStore();
      await withManager(store, { prefix: freshPrefix('undef') }, async (cache) => {
        const key = cache.key('undef', 1);
        expect(await cache.getOrLoad(key, () => undefined)).toBeUndefined();
        expect(await cache.get(key)).toEqual({ hit: false });
        expect(await cache.getOrLoad(key, () => null)).toBeNull();
        expect(await cache.get(key)).toEqual({ hit: true, value: null });
      });
    });

    it('cache-aside never returns a value older than a completed write + invalidate (model-based)', async () => {
      await using store = await target.openStore();
      const ids = ['a', 'b*', '[c]', 'd:e'] as const;
      interface Real {
        readonly cache: CacheManager;
        readonly source: Map<string, unknown>;
      }
      type Model = Map<string, unknown>;
      const keyOf = (real: Real, id: string) => real.cache.key('item', id);

      class ReadThrough implements fc.AsyncCommand<Model, Real> {
        constructor(readonly id: string) {}
        check = () => true;
        async run(model: Model, real: Real) {
          const value = await real.cache.getOrLoad(keyOf(real, this.id), () => real.source.get(this.id));
          expect(value).toEqual(model.get(this.id));
        }
        toString = () => `read(${this.id})`;
      }
      class Peek implements fc.AsyncCommand<Model, Real> {
        constructor(readonly id: string) {}
        check = () => true;
        async run(model: Model, real: Real) {
          const found = await real.cache.get(keyOf(real, this.id));
          // A hit must be the current value; a miss is always allowed.
          if (found.hit) expect(found.value).toEqual(model.get(this.id));
        }
        toString = () => `peek(${this.id})`;
      }
      class WriteInvalidate implements fc.AsyncCommand<Model, Real> {
        constructor(
          readonly id: string,
          readonly value: unknown,
        ) {}
        check = () => true;
        async run(model: Model, real: Real) {
          real.source.set(this.id, this.value);
          await real.cache.invalidate([keyOf(real, this.id)]);
          model.set(this.id, this.value);
        }
        toString = () => `write(${this.id}, ${JSON.stringify(this.value)}) + invalidate`;
      }
      class WriteThrough implements fc.AsyncCommand<Model, Real> {
        constructor(
          readonly id: string,
          readonly value: unknown,
        ) {}
        check = () => true;
        async run(model: Model, real: Real) {
          real.source.set(this.id, this.value);
          await real.cache.set(keyOf(real, this.id), this.value);
          model.set(this.id, this.value);
        }
        toString = () => `write(${this.id}, ${JSON.stringify(this.value)}) + set`;
      }
      class DeleteInvalidate implements fc.AsyncCommand<Model, Real> {
        constructor(readonly id: string) {}
        check = () => true;
        async run(model: Model, real: Real) {
          real.source.delete(this.id);
          await real.cache.invalidate([keyOf(real, this.id)]);
          model.delete(this.id);
        }
        toString = () => `delete(${this.id}) + invalidate`;
      }
      class InvalidateAll implements fc.AsyncCommand<Model, Real> {
        check = () => true;
        async run(_model: Model, real: Real) {
          await real.cache.invalidatePattern(real.cache.pattern('item', ANY));
          for (const id of ids) expect(await real.cache.get(keyOf(real, id))).toEqual({ hit: false });
        }
        toString = () => 'invalidatePattern(item:*)';
      }

      const id = fc.constantFrom(...ids);
      const commands = fc.commands(
        [
          id.map((i) => new ReadThrough(i)),
          id.map((i) => new Peek(i)),
          fc.tuple(id, valueArb).map(([i, v]) => new WriteInvalidate(i, v)),
          fc.tuple(id, valueArb).map(([i, v]) => new WriteThrough(i, v)),
          id.map((i) => new DeleteInvalidate(i)),
          fc.constant(new InvalidateAll()),
        ],
        { maxCommands: 25 },
      );
      await assertProperty(
        fc.asyncProperty(commands, async (cmds) => {
          await using cache = new CacheManager(store, { prefix: freshPrefix('aside') });
          await fc.asyncModelRun(() => ({ model: new Map(), real: { cache, source: new Map() } }), cmds);
        }),
        25,
      );
    });

    it('a load that overlaps a write + invalidate does not put the old value back', async () => {
      await using store = await target.openStore();
      await withManager(store, { prefix: freshPrefix('race') }, async (cache) => {
        const key = cache.key('race', 1);
        const source = new Map([['1', 'old']]);
        let release!: () => void;
        const gate = new Promise<void>((resolve) => (release = resolve));
        let readSource!: () => void;
        const sourceRead = new Promise<void>((resolve) => (readSource = resolve));
        // The slow read sees the old row, then waits while the writer commits and invalidates.
        // Ordered by a signal, not a sleep: on a loaded machine the cache miss can take longer than any fixed wait.
        const slow = cache.getOrLoad(key, async () => {
          const seen = source.get('1');
          readSource();
          await gate;
          return seen;
        });
        await sourceRead;
        source.set('1', 'new');
        await cache.invalidate([key]);
        release();
        expect(await slow).toBe('old'); // it began before the write; what it must not do is cache it
        expect(await cache.getOrLoad(key, () => source.get('1'))).toBe('new');
        expect(await cache.get(key)).toEqual({ hit: true, value: 'new' });
      });
    });

    it('invalidatePattern removes exactly the matching keys, glob characters in parts included', async () => {
      await using store = await target.openStore();
      const tuple = fc.tuple(fc.constantFrom('ns', 'n*'), fc.array(partArb, { minLength: 1, maxLength: 3 }));
      await assertProperty(
        fc.asyncProperty(
          fc.uniqueArray(tuple, { minLength: 1, maxLength: 12, selector: (t) => JSON.stringify(t) }),
          fc.constantFrom('ns', 'n*'),
          fc.array(fc.oneof(partArb, fc.constant<PatternPart>(ANY)), { maxLength: 3 }),
          async (entries, namespace, patternParts) => {
            await using cache = new CacheManager(store, { prefix: freshPrefix('pattern') });
            // A neighbour whose prefix extends this one's must be untouched.
            await using neighbour = new CacheManager(store, { prefix: `${cache.keys.prefix}x` });
            const keys = new Set(entries.map(([ns, parts]) => cache.key(ns, ...parts)));
            for (const key of keys) await cache.set(key, key);
            const outsider = neighbour.key(namespace, ...patternParts.map((p) => (p === ANY ? 'any' : p)));
            await neighbour.set(outsider, 1);

            const pattern = cache.pattern(namespace, ...patternParts);
            const matches = patternRegExp(pattern);
            const expected = [...keys].filter((key) => matches.test(key));
            expect(await cache.invalidatePattern(pattern)).toBe(expected.length);
            const left = await scanAll(store, cache.keys.everything());
            expect([...left].sort()).toEqual([...keys].filter((key) => !matches.test(key)).sort());
            expect(await neighbour.get(outsider)).toEqual({ hit: true, value: 1 });
            await neighbour.invalidatePattern(neighbour.keys.everything());
            await cache.invalidatePattern(cache.keys.everything());
          },
        ),
        30,
      );
    });

    it('a literal pattern part never widens: "*" as a part matches only a literal "*"', async () => {
      await using store = await target.openStore();
      await withManager(store, { prefix: freshPrefix('literal') }, async (cache) => {
        for (const part of ['*', 'a', 'b', '?', '[ab]']) await cache.set(cache.key('lit', part), part);
        expect(await cache.invalidatePattern(cache.pattern('lit', '*'))).toBe(1);
        expect(await cache.invalidatePattern(cache.pattern('lit', '?'))).toBe(1);
        expect(await cache.invalidatePattern(cache.pattern('lit', '[ab]'))).toBe(1);
        const left = await scanAll(store, cache.keys.everything());
        expect([...left].sort()).toEqual([cache.key('lit', 'a'), cache.key('lit', 'b')].sort());
        await cache.invalidatePattern(cache.keys.everything());
      });
    });

    writeBehindContract(target);
    unreachableContract(target);
  });
}

function writeBehindContract(target: CacheContractTarget): void {
  const sinkUrl = () => target.sinkDatabaseUrl?.();

  it('write-behind delivers every accepted write to the sink exactly once, or dead-letters it (also on close)', async (context) => {
    const url = sinkUrl();
    if (!url) return context.skip('no PostgreSQL for the write-behind sink');
    await using store = await target.openStore();
    await using log = await PostgresWriteLog.open(url);
    const step = fc.oneof(
      {
        weight: 6,
        arbitrary: fc.array(fc.tuple(fc.integer({ min: 0, max: 4 }), valueArb), {
          minLength: 1,
          maxLength: 6,
        }),
      },
      { weight: 1, arbitrary: fc.constant('flush' as const) },
    );
    await assertProperty(
      fc.asyncProperty(
        fc.array(step, { minLength: 1, maxLength: 10 }),
        fc.array(fc.boolean(), { maxLength: 30 }),
        fc.integer({ min: 1, max: 3 }),
        async (steps, faults, maxAttempts) => {
          await log.clear();
          const accepted: { seq: number; key: string; value: unknown }[] = [];
          const cache = new CacheManager(store, {
            prefix: freshPrefix('wb'),
            writeBehind: {
              sink: log.sink((call) => faults[call] ?? false),
              maxPending: 4,
              batchSize: 3,
              flushIntervalMs: 5,
              maxAttempts,
              retryDelayMs: 0,
            },
          });
          try {
            for (const s of steps) {
              if (s === 'flush') {
                await cache.flush();
                continue;
              }
              // Concurrent writers: a full queue makes them wait (backpressure), never drop.
              const results = await Promise.all(
                s.map(async ([k, value]) => {
                  const key = cache.key('wb', k);
                  const { seq } = await cache.writeBehind(key, value);
                  return { seq, key, value };
                }),
              );
              accepted.push(...results);
              expect(cache.pendingWrites).toBeLessThanOrEqual(4);
            }
          } finally {
            await cache.close();
          }
          const rows = await log.rows();
          const dead = cache.deadLetters().map((d) => d.write);
          const delivered = new Map(rows.map((r) => [r.seq, r]));
          expect(delivered.size).toBe(rows.length); // no seq delivered twice
          for (const d of dead) expect(delivered.has(d.seq)).toBe(false);
          expect(rows.length + dead.length).toBe(accepted.length);
          for (const write of accepted) {
            const got = delivered.get(write.seq) ?? dead.find((d) => d.seq === write.seq);
            expect(got).toEqual(write);
          }
          const stats = cache.stats().writeBehind;
          expect(stats).toMatchObject({
            accepted: accepted.length,
            flushed: rows.length,
            deadLettered: dead.length,
            pending: 0,
          });
          if (dead.length === 0)
            expect(faults.filter(Boolean).length).toBeGreaterThanOrEqual(stats.failedAttempts);
          await cache.invalidatePattern(cache.keys.everything());
        },
      ),
      20,
    );
  });

  it('write-behind serves its newest value to reads before the sink has it', async (context) => {
    const url = sinkUrl();
    if (!url) return context.skip('no PostgreSQL for the write-behind sink');
    await using store = await target.openStore();
    await using log = await PostgresWriteLog.open(url, 'write_behind_read');
    await log.clear();
    await using cache = new CacheManager(store, {
      prefix: freshPrefix('wbread'),
      writeBehind: { sink: log.sink(), flushIntervalMs: 3_600_000 },
    });
    const key = cache.key('wb', 'x');
    await cache.writeBehind(key, 0);
    expect(await cache.get(key)).toEqual({ hit: true, value: 0 });
    await cache.invalidate([key]); // evicted before the flush: the source is still behind
    expect(await cache.getOrLoad(key, () => 'from source')).toBe(0);
    expect(cache.pendingWrites).toBe(1);
    await cache.flush();
    expect(cache.pendingWrites).toBe(0);
    expect(await log.rows()).toEqual([{ seq: 1, key, value: 0 }]);
  });
}

function unreachableContract(target: CacheContractTarget): void {
  it('with the cache unreachable, reads fall through to the source and count errors', async (context) => {
    const open = target.openUnreachableStore;
    if (!open) return context.skip('the target has no unreachable store');
    await using store = await open();
    const errors: string[] = [];
    await withManager(
      store,
      { prefix: freshPrefix('down'), onError: (kind) => errors.push(kind) },
      async (cache) => {
        const key = cache.key('down', 1);
        expect(await cache.get(key)).toEqual({ hit: false });
        expect(await cache.getMany([key, cache.key('down', 2)])).toEqual([{ hit: false }, { hit: false }]);
        expect(await cache.getOrLoad(key, () => 0)).toBe(0);
        await expect(cache.set(key, 1)).rejects.toBeInstanceOf(StoreError);
        await expect(cache.invalidate([key])).rejects.toBeInstanceOf(StoreError);
        await expect(cache.invalidatePattern(cache.pattern('down', ANY))).rejects.toBeInstanceOf(StoreError);
        const stats = cache.stats();
        // getOrLoad's failed read loads without a fill (the fill would wait on the same dead store): the one write error is set's.
        expect(stats.errors).toMatchObject({ read: 3, write: 1, invalidate: 2 });
        expect(stats.misses).toBe(4);
        expect(stats.hits).toBe(0);
        expect(stats.loads).toBe(1);
        expect(errors.filter((k) => k === 'read')).toHaveLength(3);
      },
    );
  });

  it('with the cache unreachable, write-behind still reaches the sink', async (context) => {
    const open = target.openUnreachableStore;
    const url = target.sinkDatabaseUrl?.();
    if (!open || !url) return context.skip('needs an unreachable store and a sink database');
    await using store = await open();
    await using log = await PostgresWriteLog.open(url, 'write_behind_down');
    await log.clear();
    const cache = new CacheManager(store, {
      prefix: freshPrefix('downwb'),
      writeBehind: { sink: log.sink() },
    });
    const key = cache.key('wb', 'k');
    try {
      expect(await cache.writeBehind(key, false)).toEqual({ seq: 1 });
      expect(cache.stats().errors.write).toBe(1);
    } finally {
      await cache.close();
    }
    expect(await log.rows()).toEqual([{ seq: 1, key, value: false }]);
  });
}

// bench:dal --check must catch a slowed path and pass a clean one, on a real Redis; and its verdict
// rules (interval over rounds, net of a declared guarantee) hold on synthetic samples.
import { describe, expect, it } from 'vitest';
import { requireStore } from '../../../test/support/stores.ts';
import { DalBenchArgsError, parseDalBenchArgs } from './cli-args.ts';
import type { BenchPath } from './path.ts';
import { redisGroup, redisGroupWith } from './redis.ts';
import { measureRounds, orderInRound, type PathSamples } from './rounds.ts';
import { runDalBench } from './run-dal-bench.ts';
import { formatVerdictTable } from './table.ts';
import { checkExitCode, judgePath, type PathVerdict } from './verdict.ts';

const noop = () => Promise.resolve();
const path = (extra: Partial<BenchPath> = {}): BenchPath => ({
  id: 'g.p',
  title: 'p',
  store: 'redis',
  dal: noop,
  raw: noop,
  note: '',
  ...extra,
});
const samples = (dalUs: number[], rawUs: number[], extra: Partial<PathSamples> = {}): PathSamples => ({
  path: path(),
  dalUs,
  rawUs,
  guaranteeUs: [],
  ...extra,
});

describe('bench:dal verdicts', () => {
  it('is over only when the whole interval lies above the target', () => {
    const over = judgePath(samples([130, 128, 131, 127, 129, 132], [100, 100, 100, 100, 100, 100]), {
      seed: 1,
    });
    expect(over.status).toBe('over');
    expect(over.interval[0]).toBeGreaterThan(1.1);
    const within = judgePath(samples([101, 99, 102, 100, 98, 103], [100, 100, 100, 100, 100, 100]), {
      seed: 1,
    });
    expect(within.status).toBe('within');
    const straddles = judgePath(samples([100, 125, 104, 121, 108, 115], [100, 100, 100, 100, 100, 100]), {
      seed: 1,
    });
    expect(straddles.status).toBe('unclear');
    expect(checkExitCode([within, straddles])).toBe(0);
    expect(checkExitCode([within, straddles, over])).toBe(1);
  });

  it('ratios are per round, so a round that was slow on both sides does not move them', () => {
    const verdict = judgePath(samples([110, 220, 105, 330], [100, 200, 100, 300]), { seed: 2 });
    expect(verdict.ratio).toBeCloseTo(1.1, 5);
  });

  it('judges a path net of its declared extra guarantee, and shows both', () => {
    const guarded = judgePath(
      {
        ...samples([150, 151, 149, 150, 152, 148], [100, 100, 100, 100, 100, 100]),
        path: path({ guarantee: { title: 'hash', task: noop } }),
        guaranteeUs: [45, 46, 44, 45, 47, 43],
      },
      { seed: 3 },
    );
    expect(guarded.ratio).toBeCloseTo(1.5, 2);
    expect(guarded.guarantee?.netRatio).toBeCloseTo(1.05, 2);
    expect(guarded.status).toBe('within');
  });

  it('judges a guarantee that is most of the work against raw + guarantee, when the path says so', () => {
    // 30 µs of DAL code over a 100 µs raw statement and a 380 µs guarantee: net of it, 1.30 — the
    // whole 30 µs charged to the one statement; against all of the same work, 510 / 480.
    const dalUs = [510, 512, 508, 510, 511, 509];
    const rawUs = [100, 100, 100, 100, 100, 100];
    const guaranteeUs = [380, 381, 379, 380, 382, 378];
    const subtracted = judgePath(
      { ...samples(dalUs, rawUs), path: path({ guarantee: { title: 'outbox', task: noop } }), guaranteeUs },
      { seed: 4 },
    );
    expect(subtracted.judged).toBeCloseTo(1.3, 2);
    expect(subtracted.guarantee?.combine).toBe('subtract');
    expect(subtracted.status).toBe('over');
    const added = judgePath(
      {
        ...samples(dalUs, rawUs),
        path: path({ guarantee: { title: 'outbox', task: noop, combine: 'add' } }),
        guaranteeUs,
      },
      { seed: 4 },
    );
    expect(added.judged).toBeCloseTo(510 / 480, 2);
    expect(added.guarantee).toMatchObject({ combine: 'add', netRatio: added.judged });
    expect(added.status).toBe('within');
    expect(formatVerdictTable([subtracted, added])).toMatch(
      /1\.30 \[[\d.]+, [\d.]+\] net .*\n[^]*1\.06 \[[\d.]+, [\d.]+\] ÷ raw\+g/,
    );
  });

  it('refuses fewer than two rounds, and judges the rounds both sides have', () => {
    expect(() => judgePath(samples([1], [1]), { seed: 1 })).toThrow(/need ≥ 2/);
    expect(() => judgePath(samples([1, 2], [1]), { seed: 1 })).toThrow(/1 round\(s\) measured/);
    expect(judgePath(samples([110, 110], [100, 100]), { seed: 1 }).rounds).toBe(2);
  });

  it('counts a ratio exactly on the target as met: the target is ≤ 1.10', () => {
    const onTarget = judgePath(samples([110, 110, 110, 110], [100, 100, 100, 100]), { seed: 1 });
    expect(onTarget.interval).toEqual([1.1, 1.1]);
    expect(onTarget.status).toBe('within');
  });
});

describe('bench:dal table', () => {
  const verdict = (extra: Partial<PathVerdict>): PathVerdict => ({
    id: 'g.p',
    title: 'a path',
    store: 'redis',
    maxRatio: 1.1,
    rounds: 12,
    dalMedianUs: 1234.4,
    rawMedianUs: 987.65,
    ratio: 1.25,
    judged: 1.25,
    interval: [1.2, 1.3],
    status: 'over',
    note: '',
    ...extra,
  });

  it('prints each path, its interval and verdict, and a guarantee on its own line with how it was timed', () => {
    const table = formatVerdictTable(
      [
        verdict({ id: 'g.plain', ratio: 1.02, judged: 1.02, interval: [0.98, 1.06], status: 'within' }),
        verdict({
          id: 'g.alone',
          judged: 1.05,
          interval: [0.99, 1.12],
          status: 'unclear',
          guarantee: {
            title: 'hash',
            medianUs: 98.765,
            combine: 'subtract',
            timed: 'after-raw',
            netRatio: 1.05,
          },
        }),
        verdict({
          id: 'g.inline',
          guarantee: {
            title: 'streamed hash',
            medianUs: 246.9,
            combine: 'add',
            timed: 'inline',
            netRatio: 1.25,
          },
        }),
      ],
      0.95,
    );
    expect(table.split('\n')).toEqual([
      'path | DAL µs | raw µs | DAL/raw | judged [95 % CI] | target | met',
      '--- | --- | --- | --- | --- | --- | ---',
      'g.plain — a path | 1,234 | 987.6 | 1.02 | 1.02 [0.98, 1.06] | ≤ 1.10 | yes',
      'g.alone — a path | 1,234 | 987.6 | 1.25 | 1.05 [0.99, 1.12] net | ≤ 1.10 | ? (interval straddles)',
      '  ↳ extra guarantee: hash | 98.8 |  | 0.10 | its own cost (after a raw call), ÷ raw |  | ',
      'g.inline — a path | 1,234 | 987.6 | 1.25 | 1.25 [1.20, 1.30] ÷ raw+g | ≤ 1.10 | NO (with confidence)',
      '  ↳ extra guarantee: streamed hash | 246.9 |  | 0.25 | its cost inside a raw call (raw doing it − raw), ÷ raw |  | ',
    ]);
  });
});

describe('bench:dal rounds', () => {
  const busy = (us: number) => () => {
    const end = performance.now() + us / 1000;
    while (performance.now() < end);
    return Promise.resolve();
  };

  it('prices a guarantee as what it adds to the raw call, and judges the DAL net of it', async () => {
    // DAL = raw work + guarantee work + nothing else: judged ≈ 1 net, ≈ 1.5 gross.
    const [measured] = await measureRounds(
      [path({ dal: busy(300), raw: busy(200), guarantee: { title: 'g', task: busy(100) } })],
      { rounds: 3, timeMs: 30 },
    );
    if (!measured) throw new Error('no samples');
    expect(measured.guaranteeUs).toHaveLength(3);
    for (const us of measured.guaranteeUs) expect(us).toBeGreaterThan(70);
    for (const us of measured.guaranteeUs) expect(us).toBeLessThan(150);
    const verdict = judgePath(measured, { seed: 1 });
    expect(verdict.ratio).toBeGreaterThan(1.35);
    expect(verdict.judged).toBeLessThan(1.1);
    expect(verdict.judged).toBeGreaterThan(0.9);
  });
  it('prices an inline guarantee as what the raw call doing it takes over the raw call', async () => {
    // The guarantee's work costs 100 µs alone but 250 µs inside the raw call (it holds the call
    // up); the DAL does the same as the raw call doing it: judged ≈ 1, not 450 ÷ 300 = 1.5.
    const [measured] = await measureRounds(
      [
        path({
          dal: busy(450),
          raw: busy(200),
          guarantee: { title: 'g', task: busy(450), timed: 'inline', combine: 'add' },
        }),
      ],
      { rounds: 3, timeMs: 30 },
    );
    if (!measured) throw new Error('no samples');
    for (const us of measured.guaranteeUs) expect(us).toBeGreaterThan(200);
    for (const us of measured.guaranteeUs) expect(us).toBeLessThan(300);
    const verdict = judgePath(measured, { seed: 1 });
    expect(verdict.guarantee).toMatchObject({ timed: 'inline', combine: 'add' });
    expect(verdict.ratio).toBeGreaterThan(1.9);
    expect(verdict.judged).toBeLessThan(1.1);
    expect(verdict.judged).toBeGreaterThan(0.9);
    expect(formatVerdictTable([verdict])).toMatch(/its cost inside a raw call \(raw doing it − raw\)/);
  });

  it('refuses fewer than two rounds and a time that is not positive, naming the value', async () => {
    await expect(measureRounds([path()], { rounds: 1, timeMs: 5 })).rejects.toThrow(
      'rounds: expected an integer ≥ 2, got 1',
    );
    await expect(measureRounds([path()], { rounds: 2.5, timeMs: 5 })).rejects.toThrow(/got 2\.5/);
    await expect(measureRounds([path()], { rounds: 2, timeMs: 0 })).rejects.toThrow(
      'timeMs: expected > 0, got 0',
    );
    await expect(measureRounds([path()], { rounds: 2, timeMs: Number.NaN })).rejects.toThrow(/got NaN/);
  });

  it('names the path and the round a failing call failed in, with the call’s error as the cause', async () => {
    const boom = new Error('store gone');
    const failing = measureRounds([path({ id: 'g.fails', raw: () => Promise.reject(boom) })], {
      rounds: 2,
      timeMs: 5,
    });
    const error = await failing.then(
      () => undefined,
      (reason: unknown) => reason,
    );
    expect(error).toBeInstanceOf(Error);
    expect((error as Error).message).toBe('bench path g.fails failed in round 1');
    expect(String((error as Error).cause)).toMatch(/store gone/);
  });

  it('puts each task first, and in every other position, equally often', () => {
    for (const tasks of [
      ['dal', 'raw'],
      ['dal', 'raw', 'guarantee'],
    ]) {
      const n = tasks.length;
      const orders = Array.from({ length: 4 * n }, (_, round) => orderInRound(tasks, round));
      for (const order of orders) expect([...order].sort()).toEqual([...tasks].sort());
      for (let position = 0; position < n; position++) {
        const counts = tasks.map((task) => orders.filter((order) => order[position] === task).length);
        expect(counts, `position ${position} of ${n}`).toEqual(tasks.map(() => 4));
      }
    }
  });

  it('runs each task right after each other task equally often over 2n rounds (the reversed cycles)', () => {
    const tasks = ['dal', 'raw', 'guarantee'];
    const follows = new Map<string, number>();
    for (let round = 0; round < 2 * tasks.length; round++) {
      const order = orderInRound(tasks, round);
      for (let i = 1; i < order.length; i++) {
        const pair = `${order[i - 1]}→${order[i]}`;
        follows.set(pair, (follows.get(pair) ?? 0) + 1);
      }
    }
    // Rotation alone gives only dal→raw→guarantee→dal; each of the 6 ordered pairs comes up twice.
    expect(follows.size).toBe(6);
    for (const count of follows.values()) expect(count).toBe(2);
    expect(orderInRound(tasks, 0)).toEqual(['dal', 'raw', 'guarantee']);
    expect(orderInRound(tasks, 3)).toEqual(['guarantee', 'raw', 'dal']);
  });

  it('settles the store before every block of calls, outside the timed calls', async () => {
    const log: string[] = [];
    const [measured] = await measureRounds(
      [
        path({
          dal: () => Promise.resolve(void log.push('dal')),
          raw: () => Promise.resolve(void log.push('raw')),
          settle: async () => {
            log.push('settle');
            await new Promise((resolve) => setTimeout(resolve, 20));
          },
        }),
      ],
      { rounds: 2, timeMs: 5 },
    );
    if (!measured) throw new Error('no samples');
    // Each side's warmup and measured phase starts right after a settle: 2 rounds × 2 sides × 2 phases.
    const blocks = log.join(' ').split('settle').slice(1);
    expect(blocks).toHaveLength(8);
    for (const block of blocks) expect(new Set(block.trim().split(' ')).size).toBe(1);
    // A 20 ms settle never shows in a sample of a no-op.
    for (const us of [...measured.dalUs, ...measured.rawUs]) expect(us).toBeLessThan(5_000);
  });
});

describe('bench:dal flags', () => {
  it('names the flag and what was wrong', () => {
    expect(() => parseDalBenchArgs(['--rounds', '1'], {})).toThrow(/--rounds "1": expected an integer ≥ 2/);
    expect(() => parseDalBenchArgs(['--time-ms', 'x'], {})).toThrow(/--time-ms "x"/);
    expect(() => parseDalBenchArgs(['--paths', 'a,,b'], {})).toThrow(/--paths "a,,b": empty entry/);
    expect(() => parseDalBenchArgs(['--bogus'], {})).toThrow(DalBenchArgsError);
    expect(() => parseDalBenchArgs(['--record', 'x', '--no-record'], {})).toThrow(/give one of them/);
    expect(parseDalBenchArgs(['--check', '--paths', 'redis.', '--seed', '7'], {})).toMatchObject({
      check: true,
      select: ['redis.'],
      seed: 7,
      record: 'default',
    });
  });
});

describe('bench:dal --check on a real Redis', () => {
  const run = (slowDalUs?: Record<string, number>) =>
    runDalBench({
      groups: [redisGroup],
      urls: { redis: requireStore('redis').url },
      select: ['redis.cache-get'],
      rounds: 6,
      timeMs: 80,
      seed: 11,
      ...(slowDalUs ? { slowDalUs } : {}),
    });

  it('catches a path slowed by a test-only delay, and passes the same path clean', async () => {
    // 400 µs on a ~100 µs call: a ratio whose interval stays above 1.10 on a loaded machine too
    // (150 µs came out "unclear" once while a parallel test ran npm install).
    const slow = await run({ 'redis.cache-get': 400 });
    expect(slow.verdicts.map((v) => v.id)).toEqual(['redis.cache-get']);
    expect(slow.verdicts[0]?.status).toBe('over');
    expect(checkExitCode(slow.verdicts)).toBe(1);

    const clean = await run();
    expect(clean.verdicts[0]?.status).not.toBe('over');
    expect(checkExitCode(clean.verdicts)).toBe(0);
  });

  it('reads a hit on every round of a run longer than the read entry’s TTL', async () => {
    // 3 read paths × 8 rounds × 2 blocks of ≥ 60 ms: well past a 1 s TTL, each block well inside it.
    // Written once, the entry expired mid-run and the read paths failed ("bench entry missing").
    const began = performance.now();
    const result = await runDalBench({
      groups: [redisGroupWith({ ttlMs: 1_000 })],
      urls: { redis: requireStore('redis').url },
      select: ['redis.cache-get', 'redis.get-or-load-hit', 'redis.client-settings'],
      rounds: 8,
      timeMs: 60,
      seed: 12,
    });
    expect(performance.now() - began).toBeGreaterThan(2_000);
    expect(result.verdicts.map((v) => v.id)).toEqual([
      'redis.cache-get',
      'redis.get-or-load-hit',
      'redis.client-settings',
    ]);
  });

  it('says which --paths matched nothing', async () => {
    await expect(
      runDalBench({ groups: [redisGroup], urls: {}, select: ['nope.'], rounds: 2, timeMs: 10, seed: 1 }),
    ).rejects.toThrow(/--paths nope\.: no bench path matches \(groups: redis\)/);
  });
});

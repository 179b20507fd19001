// Scales, dataset identity, progress and the generators (pure: DALBENCH_TEST_STORES=none works).
import v8 from 'node:v8';
import vm from 'node:vm';
import { describe, expect, it } from 'vitest';
import { envSeed } from '../stats/random.ts';
import { NAMED_SCALES, parseScale, parseScales, scaleTotals } from './scale.ts';
import { canonicalJson, datasetIdentity, decideReuse } from '../../reference-dal/ports/dataset.ts';
import { createProgress } from './progress.ts';
import { MetricGenerator } from './generators/metrics.ts';
import { DocumentGenerator } from './generators/documents.ts';
import { ObjectGenerator } from './generators/objects.ts';
import { ZipfVocabulary, rankOf, wordOf } from './generators/vocabulary.ts';

const seed = envSeed();
console.log(`data.test seed ${seed} (replay with DALBENCH_SEED=${seed})`);
const vocabulary = new ZipfVocabulary();

describe('scales', () => {
  it('parses names and factors, and names the input in errors', () => {
    expect(parseScale('xs')).toBe(NAMED_SCALES.xs);
    expect(parseScale(' M ')).toBe(NAMED_SCALES.m);
    expect(parseScale('2.5').name).toBe('s*2.5');
    expect(parseScale('x4').metrics.series).toBe(40);
    expect(scaleTotals(parseScale('4')).points).toBe(scaleTotals(NAMED_SCALES.s).points * 4);
    expect(() => parseScale('xl')).toThrow(
      '--scale: unknown scale "xl": expected xs, s, m, l or a positive factor',
    );
    expect(() => parseScale('0', 'scale')).toThrow(/^scale: .*positive/);
    expect(() => parseScale('-1')).toThrow(/unknown scale "-1"/);
    expect(() => parseScales('xs,s,xs')).toThrow(/listed twice/);
    expect(parseScales('xs,s,m').map((s) => s.name)).toEqual(['xs', 's', 'm']);
  });

  it('keeps xs at the quick suite size and m within ~10-20 M points', () => {
    expect(scaleTotals(NAMED_SCALES.xs).points).toBe(16_000);
    const m = scaleTotals(NAMED_SCALES.m).points;
    expect(m).toBeGreaterThanOrEqual(10_000_000);
    expect(m).toBeLessThanOrEqual(20_000_000);
  });
});

describe('dataset identity', () => {
  const base = {
    kind: 'metrics' as const,
    spec: { a: 1, b: [1, 2] },
    scale: 's',
    seed: 1,
    schemaVersion: 'x@1',
  };
  it('is stable under key order and changes with spec, scale, seed and schema', () => {
    const id = datasetIdentity(base).fingerprint;
    expect(datasetIdentity({ ...base, spec: { b: [1, 2], a: 1 } }).fingerprint).toBe(id);
    for (const changed of [
      { spec: { a: 2, b: [1, 2] } },
      { scale: 'm' },
      { seed: 2 },
      { schemaVersion: 'x@2' },
      { kind: 'documents' as const },
    ]) {
      expect(datasetIdentity({ ...base, ...changed }).fingerprint).not.toBe(id);
    }
    expect(canonicalJson({ z: 1, a: { y: 2, b: undefined } })).toBe('{"a":{"y":2},"z":1}');
    expect(() => canonicalJson({ a: NaN })).toThrow(/spec.a/);
  });

  it('reuses only a complete marker with the same fingerprint', () => {
    const wanted = datasetIdentity(base);
    expect(decideReuse(wanted, undefined).action).toBe('reload');
    expect(decideReuse(wanted, { fingerprint: wanted.fingerprint, complete: false }).action).toBe('reload');
    expect(decideReuse(wanted, { fingerprint: 'other', complete: true }).action).toBe('reload');
    expect(decideReuse(wanted, { fingerprint: wanted.fingerprint, complete: true }).action).toBe('reuse');
  });
});

describe('progress', () => {
  it('prints plain lines, json lines, and a bar with rate and ETA on a TTY', () => {
    let t = 0;
    const out: string[] = [];
    const plain = createProgress({
      label: 'load',
      total: 100,
      write: (s) => out.push(s),
      tty: false,
      now: () => t,
      intervalMs: 1000,
    });
    t = 1000;
    plain.add(50);
    t = 2000;
    plain.done();
    expect(out).toEqual(['load: 50/100 rows, 50 rows/s, ETA 1s\n', 'load: 50/100 rows, 25 rows/s, in 2s\n']);
    const json: string[] = [];
    const j = createProgress({
      label: 'docs',
      total: 10,
      unit: 'docs',
      write: (s) => json.push(s),
      json: true,
      now: () => t,
      intervalMs: 0,
    });
    j.add(5);
    expect(JSON.parse(json[0]!)).toMatchObject({ type: 'load-progress', label: 'docs', done: 5, total: 10 });
    const tty: string[] = [];
    const bar = createProgress({
      label: 'pts',
      total: 4,
      write: (s) => tty.push(s),
      tty: true,
      now: () => (t += 500),
      intervalMs: 0,
    });
    bar.add(2);
    expect(tty[0]?.replace('\u001b', 'ESC')).toMatch(/^\rESC\[2Kpts █+·+ 2\/4 rows .* rows\/s ETA/);
  });
});

describe('generators', () => {
  it('metric points: same seed → same data; each point a function of (seed, series, time) at every scale', () => {
    const xs = new MetricGenerator({ seed, scale: NAMED_SCALES.xs.metrics });
    const s = new MetricGenerator({ seed, scale: NAMED_SCALES.s.metrics });
    const again = [...new MetricGenerator({ seed, scale: NAMED_SCALES.xs.metrics }).points()];
    const small = [...xs.points()];
    expect(again).toEqual(small);
    expect(small).toHaveLength(16_000);
    // xs holds the most recent points of s's first series: identical values.
    for (const p of small.slice(-400)) {
      const index = xs.series.findIndex((info) => info.metricName === p.metricName);
      expect(s.valueAt(index, p.timestamp.getTime())).toBe(p.value);
    }
    const other = [...new MetricGenerator({ seed: seed + 1, scale: NAMED_SCALES.xs.metrics }).points()];
    expect(other.map((p) => p.value)).not.toEqual(small.map((p) => p.value));
    expect(small.every((p) => Number.isFinite(p.value) && p.timestamp.getTime() < xs.endMs)).toBe(true);
  });

  it('metric series wander (random walk), repeat daily, and spike now and then', () => {
    const g = new MetricGenerator({
      seed,
      scale: { series: 5, pointsPerSeries: 60_480, intervalMs: 10_000 },
    });
    const values = [...g.seriesPoints(1)].map((p) => p.value); // a latency series, one week
    const mean = values.reduce((a, b) => a + b, 0) / values.length;
    const sd = Math.sqrt(values.reduce((a, b) => a + (b - mean) ** 2, 0) / values.length);
    expect(sd).toBeGreaterThan(mean * 0.02);
    const spikes = values.filter((v) => v > mean + 6 * sd).length;
    expect(spikes).toBeLessThan(200);
    // Lag-1 differences are much smaller than the spread: a walk, not white noise.
    const steps = values.slice(1).map((v, i) => Math.abs(v - values[i]!));
    steps.sort((a, b) => a - b);
    expect(steps[Math.floor(steps.length / 2)]!).toBeLessThan(sd / 2);
  });

  it('streams: m-scale points are produced lazily with a flat heap', () => {
    const m = new MetricGenerator({ seed, scale: NAMED_SCALES.m.metrics });
    expect(m.total).toBe(15_000_000);
    // What is retained, not what the collector has not got to yet: heapUsed after a full GC (how
    // lazily V8 collects differs between Node versions; Node 24 let 93 MB of garbage stand).
    v8.setFlagsFromString('--expose-gc');
    const gc = vm.runInNewContext('gc') as () => void;
    const retained = () => {
      gc();
      return process.memoryUsage().heapUsed;
    };
    const before = retained();
    let n = 0;
    let peak = before;
    for (const point of m.points()) {
      n += point.value >= 0 ? 1 : 0;
      if (n % 100_000 === 0) peak = Math.max(peak, retained());
      if (n === 1_000_000) break;
    }
    expect(n).toBe(1_000_000);
    // A million points held in memory would need > 100 MB; streaming retains far below.
    expect(peak - before).toBeLessThan(32 * 1024 * 1024);
  });

  it('documents: same seed → same documents; document i equal at xs and m', () => {
    const xs = new DocumentGenerator({ seed, scale: NAMED_SCALES.xs.documents, vocabulary });
    const m = new DocumentGenerator({ seed, scale: NAMED_SCALES.m.documents, vocabulary });
    const first = [...xs.documents()];
    expect(first).toHaveLength(1_000);
    expect(first.slice(0, 50)).toEqual(Array.from({ length: 50 }, (_, i) => m.document(i)));
    const other = new DocumentGenerator({ seed: seed + 1, scale: NAMED_SCALES.xs.documents, vocabulary });
    expect(other.document(0)).not.toEqual(first[0]);
    expect(typeof first[0]!.document.status).toBe('string');
    expect(first[0]!.document.team).toMatch(/^team-\d\d$/);
  });

  it('words follow Zipf: frequency falls as rank^-1.15, rare and common terms are where the model says', () => {
    expect(wordOf(0)).not.toBe(wordOf(1));
    for (const rank of [0, 29, 30, 899, 123_456, vocabulary.size - 1])
      expect(rankOf(wordOf(rank))).toBe(rank);
    const g = new DocumentGenerator({
      seed,
      scale: { count: 3_000, wordsPerDoc: { min: 20, max: 80 } },
      vocabulary,
    });
    const counts = new Map<string, number>();
    const docsWith = new Map<string, number>();
    for (const { document } of g.documents()) {
      const words = `${document.title as string} ${document.description as string}`.split(' ');
      for (const w of words) counts.set(w, (counts.get(w) ?? 0) + 1);
      for (const w of new Set(words)) docsWith.set(w, (docsWith.get(w) ?? 0) + 1);
    }
    const f = (rank: number) => counts.get(wordOf(rank)) ?? 0;
    // p(0)/p(9) = 10^1.15 ≈ 14.1; allow sampling noise.
    expect(f(0) / f(9)).toBeGreaterThan(10);
    expect(f(0) / f(9)).toBeLessThan(20);
    const terms = g.queryTerms();
    expect(docsWith.get(terms.common[0]!)! / 3_000).toBeGreaterThan(0.9);
    const rareDocs = terms.rare.map((w) => docsWith.get(w) ?? 0);
    expect(rareDocs.reduce((a, b) => a + b, 0) / rareDocs.length).toBeLessThan(30);
  });

  it('objects: sizes within bounds, some large, content deterministic', () => {
    const g = new ObjectGenerator({ seed, scale: { ...NAMED_SCALES.m.objects } });
    const sizes = Array.from({ length: 1_000 }, (_, i) => g.object(i).size);
    expect(Math.min(...sizes)).toBeGreaterThanOrEqual(1024);
    expect(sizes.filter((s) => s >= 8 * 2 ** 20).length).toBeGreaterThan(5);
    const a = g.object(3).bytes();
    expect(
      Buffer.from(new ObjectGenerator({ seed, scale: NAMED_SCALES.xs.objects }).object(3).bytes()).equals(
        Buffer.from(a),
      ),
    ).toBe(true);
  });
});

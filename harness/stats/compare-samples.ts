// The two-sample decision compare (and anything else that compares runs) makes: change %, its
// interval, a test, an effect size and one verdict — on log values, since ratios are what matter for
// latency and throughput, and with the variance that applies to the comparison at hand:
// - repeats inside one invocation: Welch's t on log values (valid at n = 2 or 3, where a rank test
//   cannot reach p < 0.05);
// - single runs: each run's within-run interval (block bootstrap over its per-second windows) plus the
//   calibrated repeat spread — an interval from the windows alone misses run-to-run spread, so it is
//   shown but never concludes;
// - runs of separate invocations: the above plus the spread between invocations, calibrated (noise.json
//   from separate invocations) and/or estimated from several result files per side; without it the row
//   says it cannot judge.
// Parts estimated with few degrees of freedom widen the interval (Welch–Satterthwaite). A change is
// called only when significant and beyond the user's threshold; when the data cannot decide, the note
// says how many repeats or invocations per side would.
import { studentTQuantile, studentTTwoSidedP } from './student-t.ts';
import { cliffsDelta, cliffsMagnitude } from './effect-size.ts';
import { poolVariances, satterthwaite, scaleTerm, type VarianceTerm } from './satterthwaite.ts';
import { estimateSpread, positiveLogs, type CalibratedSpread, type Invocation } from './spread.ts';

export type { Invocation, RunValue } from './spread.ts';

export type Direction = 'lower-is-better' | 'higher-is-better';
export type ChangeVerdict = 'faster' | 'slower' | 'no change' | 'inconclusive';
/** What the interval of change covers. */
export type IntervalKind =
  'repeats' | 'within-run' | 'within-run + calibrated' | 'calibrated' | 'between invocations';
/** Why a row was not decided. */
export type Undecided =
  'undecided' | 'spread-unknown' | 'within-run-only' | 'between-unknown' | 'no-spread' | 'non-positive';

export interface CompareSidesOptions {
  direction: Direction;
  alpha?: number;
  /** A change smaller than this (in %) is "no change" even when significant. */
  thresholdPct?: number;
  seed: number;
  /** Spread per side from noise.json (log scale). */
  calibrated?: { base?: CalibratedSpread | undefined; candidate?: CalibratedSpread | undefined };
  /** Multiple-comparison adjustment of the raw p-value (compare tables may use Benjamini–Hochberg). */
  adjustPValue?: (raw: number) => number;
}

export interface SampleComparison {
  /** Geometric means of the runs (the value itself for one run). */
  base: number;
  candidate: number;
  nBase: number;
  nCandidate: number;
  invocationsBase: number;
  invocationsCandidate: number;
  /** (candidate − base) / base × 100, from the ratio of geometric means. */
  changePct: number;
  changeCi?: [number, number];
  intervalKind?: IntervalKind;
  /** Raw (unadjusted) two-sided p-value, present when the row could be judged. */
  rawPValue?: number;
  pValue?: number;
  df?: number;
  cliffsDelta?: number;
  effect?: ReturnType<typeof cliffsMagnitude>;
  /** Smallest change (in %) that counts: the user's threshold. */
  bandPct: number;
  verdict: ChangeVerdict;
  /** Worse than base, significant and beyond the threshold. */
  regression: boolean;
  undecided?: Undecided;
  /** Runs per side that would decide it (undefined count: more than the search limit). */
  needed?: { count: number | undefined; unit: 'repeats' | 'invocations' };
  note: string;
}

const MAX_NEEDED = 200;
/** Below this a change is "no change" when the interval fits inside it, threshold or not. */
const MIN_EQUIVALENCE_PCT = 5;

interface Side {
  invocations: Invocation[];
  runs: number;
  mean: number;
  /** Σ (runs of invocation / runs)²: how much of the invocation effect the side's mean keeps. */
  invocationWeight: number;
  values: number[];
}

function sideOf(invocations: readonly Invocation[]): Side {
  const kept = invocations
    .map((inv) => ({ id: inv.id, runs: inv.runs.filter((r) => r.value > 0) }))
    .filter((inv) => inv.runs.length > 0);
  const logs = kept.flatMap((inv) => positiveLogs(inv.runs));
  const runs = logs.length;
  return {
    invocations: kept,
    runs,
    mean: runs ? logs.reduce((a, b) => a + b, 0) / runs : Number.NaN,
    invocationWeight: kept.reduce((acc, inv) => acc + (inv.runs.length / runs) ** 2, 0),
    values: kept.flatMap((inv) => inv.runs.map((r) => r.value)),
  };
}

interface WithinPart {
  /** Variance of the side's mean log from its runs (not the invocation effect). */
  terms: VarianceTerm[];
  /** Per-run variance the terms imply (for the "repeats needed" projection). */
  perRun: number;
  /** The part includes run-to-run spread (repeats or calibration), not only within-run sampling. */
  runToRun: boolean;
  /** The part is fully known (no run lacks a sampling estimate without a calibration standing in). */
  complete: boolean;
  sources: Set<'repeats' | 'within-run' | 'calibrated'>;
  standIn: boolean;
  windows: number[];
}

function withinPart(side: Side, cal: CalibratedSpread | undefined, same: boolean): WithinPart {
  const replicated = side.invocations.filter((inv) => inv.runs.length >= 2);
  if (replicated.length > 0) {
    let squares = 0;
    let df = 0;
    for (const inv of replicated) {
      const logs = positiveLogs(inv.runs);
      const m = logs.reduce((a, b) => a + b, 0) / logs.length;
      squares += logs.reduce((acc, y) => acc + (y - m) ** 2, 0);
      df += logs.length - 1;
    }
    // The repeat spread calibrated for this metric (same unit: one run's total spread) joins the
    // repeats at hand: three repeats alone give Welch 2 degrees of freedom per side.
    const calibratedRepeat = cal?.repeat
      ? {
          variance: cal.repeat.variance + (cal.sampling ?? 0),
          df: cal.repeat.df,
        }
      : undefined;
    const pooled = poolVariances([
      { variance: squares / df, df },
      ...(calibratedRepeat ? [calibratedRepeat] : []),
    ])!;
    const sources = new Set<'repeats' | 'within-run' | 'calibrated'>(['repeats']);
    if (calibratedRepeat) sources.add('calibrated');
    return {
      terms: [scaleTerm(pooled, 1 / side.runs)],
      perRun: pooled.variance,
      runToRun: true,
      complete: true,
      sources,
      standIn: false,
      windows: [],
    };
  }
  // Single runs: each run's own sampling spread, plus the calibrated repeat spread.
  const sources = new Set<'repeats' | 'within-run' | 'calibrated'>();
  const terms: VarianceTerm[] = [];
  let complete = true;
  let perRun = 0;
  const windows: number[] = [];
  for (const inv of side.invocations) {
    for (const run of inv.runs) {
      if (run.within) {
        terms.push({ variance: run.within.variance / side.runs ** 2, df: run.within.df });
        perRun += run.within.variance / side.runs;
        sources.add('within-run');
        windows.push(run.within.windows); // 0: a completion-count bound (run too short for windows)
      } else if (cal?.sampling !== undefined) {
        terms.push({ variance: cal.sampling / side.runs ** 2, df: Math.max(1, cal.runs - 1) });
        perRun += cal.sampling / side.runs;
        sources.add('calibrated');
      } else if (!cal) {
        complete = false;
      }
      // else: the calibration's variances include the sampling error (it had no within-run intervals).
    }
  }
  let excess: VarianceTerm | undefined;
  let standIn = false;
  let runToRun = false;
  if (cal?.repeat) {
    excess = cal.repeat;
    runToRun = true;
  } else if (same && cal?.between) {
    // One run per invocation in the calibration: the spread between its runs stands in for the repeat spread.
    excess = cal.between;
    standIn = true;
    runToRun = true;
  } else if (!same) {
    runToRun = true; // the between-invocation term carries the run-to-run spread (checked by the caller)
  }
  if (excess) {
    terms.push(scaleTerm(excess, 1 / side.runs));
    perRun += excess.variance;
    sources.add('calibrated');
  }
  return { terms, perRun, runToRun, complete, sources, standIn, windows };
}

function betweenPart(
  a: Side,
  b: Side,
  calibrated: CompareSidesOptions['calibrated'],
): { term?: VarianceTerm; calibratedFrom?: number; estimatedFrom?: number; withinOnly: boolean } {
  const sources: VarianceTerm[] = [];
  let calibratedFrom: number | undefined;
  let withinOnly = false;
  const cals = [...new Set([calibrated?.base, calibrated?.candidate])];
  for (const cal of cals) {
    if (!cal) continue;
    if (cal.kind !== 'between-invocations') {
      withinOnly = true;
      continue;
    }
    if (cal.between) {
      sources.push(cal.between);
      calibratedFrom = Math.max(calibratedFrom ?? 0, cal.invocations);
    }
  }
  let estimatedFrom: number | undefined;
  for (const side of [a, b]) {
    if (side.invocations.length < 2) continue;
    const between = estimateSpread(side.invocations, 'between-invocations').between;
    if (between) {
      sources.push(between);
      estimatedFrom = (estimatedFrom ?? 0) + side.invocations.length;
    }
  }
  const pooled = poolVariances(sources);
  return {
    ...(pooled ? { term: pooled } : {}),
    ...(calibratedFrom === undefined ? {} : { calibratedFrom }),
    ...(estimatedFrom === undefined ? {} : { estimatedFrom }),
    withinOnly,
  };
}

/**
 * Smallest n (from `from`) whose projected interval decides the change at the spread seen; undefined
 * past MAX_NEEDED. Deciding is monotone in n (the interval only narrows), so a binary search finds it.
 */
function projectNeeded(
  d: number,
  alpha: number,
  bandPct: number,
  from: number,
  at: (n: number) => { variance: number; df: number },
): number | undefined {
  const band = Math.log(1 + bandPct / 100);
  const equivalence = Math.log(1 + Math.max(bandPct, MIN_EQUIVALENCE_PCT) / 100);
  const decides = (n: number) => {
    const { variance, df } = at(n);
    const half = studentTQuantile(1 - alpha / 2, Math.max(1, df)) * Math.sqrt(variance);
    return (Math.abs(d) > band && Math.abs(d) > half) || Math.abs(d) + half < equivalence;
  };
  let lo = Math.max(2, from);
  if (lo > MAX_NEEDED || !decides(MAX_NEEDED)) return undefined;
  let hi = MAX_NEEDED;
  while (lo < hi) {
    const mid = Math.floor((lo + hi) / 2);
    if (decides(mid)) hi = mid;
    else lo = mid + 1;
  }
  return lo;
}

const fmtP = (p: number) => (p < 0.001 ? p.toExponential(1) : p.toFixed(3));
const pct = (v: number) => `${v >= 0 ? '+' : ''}${v.toFixed(1)}%`;

export function relativeChangePct(base: number, candidate: number): number {
  if (base === 0) return candidate === 0 ? 0 : Number.POSITIVE_INFINITY * Math.sign(candidate);
  return ((candidate - base) / Math.abs(base)) * 100;
}

export function compareSides(
  baseInvocations: readonly Invocation[],
  candidateInvocations: readonly Invocation[],
  options: CompareSidesOptions,
): SampleComparison {
  const alpha = options.alpha ?? 0.05;
  const bandPct = options.thresholdPct ?? 0;
  const a = sideOf(baseInvocations);
  const b = sideOf(candidateInvocations);
  const common = {
    nBase: a.runs,
    nCandidate: b.runs,
    invocationsBase: a.invocations.length,
    invocationsCandidate: b.invocations.length,
    bandPct,
  };
  if (a.runs === 0 || b.runs === 0) {
    return {
      ...common,
      base: a.runs ? Math.exp(a.mean) : 0,
      candidate: b.runs ? Math.exp(b.mean) : 0,
      changePct: Number.NaN,
      verdict: 'inconclusive',
      regression: false,
      undecided: 'non-positive',
      note: 'no positive value on one side: no ratio to compare',
    };
  }
  const same =
    a.invocations.length === 1 && b.invocations.length === 1 && a.invocations[0]!.id === b.invocations[0]!.id;
  const d = b.mean - a.mean;
  const changePct = (Math.exp(d) - 1) * 100;
  const worse = options.direction === 'lower-is-better' ? changePct > 0 : changePct < 0;
  const delta = a.runs >= 2 && b.runs >= 2 ? cliffsDelta(a.values, b.values) : undefined;
  const effect = delta === undefined ? {} : { cliffsDelta: delta, effect: cliffsMagnitude(delta) };

  const wa = withinPart(a, options.calibrated?.base, same);
  const wb = withinPart(b, options.calibrated?.candidate, same);
  const between = same ? undefined : betweenPart(a, b, options.calibrated);
  const terms = [...wa.terms, ...wb.terms];
  if (between?.term) terms.push(scaleTerm(between.term, a.invocationWeight + b.invocationWeight));

  // Can this variance carry a verdict?
  let undecided: Undecided | undefined;
  // A run without its own sampling estimate is covered by a calibration without within-run intervals,
  // or across invocations by the between-invocation spread (estimated with that sampling error in it).
  if (!same && !between?.term) undecided = 'between-unknown';
  else if (same && (!wa.complete || !wb.complete)) undecided = 'spread-unknown';
  else if (!wa.runToRun || !wb.runToRun) undecided = 'within-run-only';

  const { variance, df: rawDf } = satterthwaite(terms);
  // Every run gave the same value (counts, a deterministic metric): no spread was measured, and a
  // difference cannot be told from noise that was never seen.
  if (!undecided && variance === 0 && d !== 0) undecided = 'no-spread';

  const repeats = wa.sources.has('repeats') && wb.sources.has('repeats');
  const withinRun = wa.sources.has('within-run') || wb.sources.has('within-run');
  const calibratedUsed = wa.sources.has('calibrated') || wb.sources.has('calibrated');
  const intervalKind: IntervalKind | undefined =
    undecided === 'spread-unknown' || undecided === 'no-spread'
      ? undefined
      : !same && between?.term
        ? 'between invocations'
        : repeats
          ? 'repeats'
          : withinRun
            ? calibratedUsed
              ? 'within-run + calibrated'
              : 'within-run'
            : calibratedUsed
              ? 'calibrated'
              : 'repeats';

  const df = Math.max(1, rawDf);
  const se = Math.sqrt(variance);
  const half = studentTQuantile(1 - alpha / 2, df) * se;
  const changeCi: [number, number] | undefined =
    intervalKind === undefined ? undefined : [(Math.exp(d - half) - 1) * 100, (Math.exp(d + half) - 1) * 100];

  const method = describeMethod({ a, b, same, wa, wb, between });
  const base = { ...common, ...effect, base: Math.exp(a.mean), candidate: Math.exp(b.mean), changePct };
  const withCi = { ...(changeCi ? { changeCi } : {}), ...(intervalKind ? { intervalKind } : {}) };

  if (undecided) {
    const needed =
      undecided === 'between-unknown' || undecided === 'no-spread'
        ? undefined
        : { count: 3 as number | undefined, unit: 'repeats' as const };
    return {
      ...base,
      ...withCi,
      verdict: 'inconclusive',
      regression: false,
      undecided,
      ...(needed ? { needed } : {}),
      note: undecidedNote(undecided, method, {
        withinOnlyNoise: between?.withinOnly ?? false,
        missing: [...a.invocations, ...b.invocations].flatMap((inv) => inv.runs).find((r) => r.withinMissing)
          ?.withinMissing,
      }),
    };
  }

  const rawPValue = se === 0 ? (d === 0 ? 1 : 0) : studentTTwoSidedP(d / se, df);
  const pValue = options.adjustPValue ? options.adjustPValue(rawPValue) : rawPValue;
  const significant = pValue < alpha;
  const beyond = Math.abs(changePct) > bandPct;
  const eq = Math.max(bandPct, MIN_EQUIVALENCE_PCT);
  const judged = { ...base, ...withCi, rawPValue, pValue, df };
  const testText = `${methodSentence(method)} (df ${df.toFixed(1)}): p=${fmtP(pValue)}`;
  if (significant && beyond) {
    const verdict = worse ? 'slower' : 'faster';
    return { ...judged, verdict, regression: worse, note: `${testText} < ${alpha}` };
  }
  if (significant)
    return {
      ...judged,
      verdict: 'no change',
      regression: false,
      note: `${testText}; within the ±${bandPct}% threshold`,
    };
  if (changeCi && changeCi[0] >= -eq && changeCi[1] <= eq)
    return {
      ...judged,
      verdict: 'no change',
      regression: false,
      note: `${testText}; interval within ±${eq}%`,
    };

  // Undecided: project how many runs per side would decide it, at the spread seen.
  const unit: 'repeats' | 'invocations' = same ? 'repeats' : 'invocations';
  let count: number | undefined;
  if (same) {
    const perRun = wa.perRun + wb.perRun;
    count = projectNeeded(d, alpha, bandPct, Math.max(a.runs, b.runs) + 1, (n) => ({
      variance: perRun / n,
      df: 2 * n - 2,
    }));
  } else {
    const tau = between!.term!;
    const perInvocation =
      2 * tau.variance +
      satterthwaite(wa.terms).variance * a.invocations.length +
      satterthwaite(wb.terms).variance * b.invocations.length;
    count = projectNeeded(
      d,
      alpha,
      bandPct,
      Math.max(a.invocations.length, b.invocations.length) + 1,
      (k) => ({
        variance: perInvocation / k,
        df: 2 * k - 2 + tau.df,
      }),
    );
  }
  return {
    ...judged,
    verdict: 'inconclusive',
    regression: false,
    undecided: 'undecided',
    needed: { count, unit },
    note: `${testText}; interval ${changeCi ? `${pct(changeCi[0])} … ${pct(changeCi[1])}` : ''} too wide to decide: ${neededText({ count, unit })}`,
  };
}

export function neededText(needed: { count: number | undefined; unit: 'repeats' | 'invocations' }): string {
  const what = needed.unit === 'repeats' ? 'repeats per side' : 'invocations per side';
  if (needed.count === undefined)
    return `more than ${MAX_NEEDED} ${what} needed (the change sits at the threshold)`;
  return needed.unit === 'repeats'
    ? `≥ ${needed.count} ${what} needed`
    : `≥ ${needed.count} ${what} needed (separate runs given as a,b,c files; repeats cannot average out the invocation effect)`;
}

interface MethodText {
  /** What the within part rests on: "Welch t on log values + calibrated repeat spread". */
  within: string;
  /** "3 runs vs 3 runs in one invocation" / "1 run in 1 vs 1 run in 1 invocation". */
  scope: string;
  /** "spread between invocations calibrated over 6 invocations", when there is one. */
  between: string;
}

function describeMethod(ctx: {
  a: Side;
  b: Side;
  same: boolean;
  wa: WithinPart;
  wb: WithinPart;
  between: ReturnType<typeof betweenPart> | undefined;
}): MethodText {
  const { a, b, same, wa, wb, between } = ctx;
  const runs = (s: Side) => (s.runs === 1 ? '1 run' : `${s.runs} runs`);
  const all = [...wa.windows, ...wb.windows];
  const windows = all.filter((w) => w > 0);
  const lo = Math.min(...windows);
  const hi = Math.max(...windows);
  const parts: string[] = [];
  if (wa.sources.has('repeats') || wb.sources.has('repeats')) parts.push('Welch t on log values');
  if (all.some((w) => w === 0)) parts.push('completion-count bound (runs too short for one-second windows)');
  if (windows.length)
    parts.push(
      `within-run interval (block bootstrap over ${lo === hi ? lo : `${lo}–${hi}`} one-second windows)`,
    );
  if (wa.sources.has('calibrated') || wb.sources.has('calibrated'))
    parts.push(
      wa.standIn || wb.standIn
        ? 'calibrated run-to-run spread (one run per calibration invocation)'
        : 'calibrated repeat spread',
    );
  const from: string[] = [];
  if (between?.calibratedFrom !== undefined)
    from.push(`calibrated over ${between.calibratedFrom} invocations`);
  if (between?.estimatedFrom !== undefined) from.push(`estimated from ${between.estimatedFrom} result files`);
  return {
    within: parts.join(' + '),
    scope: same
      ? `${runs(a)} vs ${runs(b)} in one invocation`
      : `${runs(a)} in ${a.invocations.length} vs ${runs(b)} in ${b.invocations.length} invocation(s)`,
    between: from.length ? `spread between invocations ${from.join(' and ')}` : '',
  };
}

function methodSentence(m: MethodText): string {
  const parts = [m.between ? `between invocations: ${m.between}` : '', m.within].filter(Boolean);
  return `${parts.join(' + ')}, ${m.scope}`;
}

function undecidedNote(
  undecided: Undecided,
  m: MethodText,
  ctx: { withinOnlyNoise: boolean; missing: string | undefined },
): string {
  switch (undecided) {
    case 'between-unknown':
      return (
        'cannot judge across invocations: repeats inside one invocation understate the spread between invocations' +
        (ctx.withinOnlyNoise ? ' (noise.json measured spread within one invocation)' : '') +
        '; give noise.json from `dalbench calibrate --runs N` (separate invocations) or ≥ 2 result files per side (a1.json,a2.json)' +
        (m.within ? `; the interval shown covers only the ${m.within}` : '')
      );
    case 'within-run-only':
      return `${m.within}, ${m.scope}: a within-run interval misses run-to-run spread, so it does not conclude: ≥ 3 repeats per side needed, or --noise`;
    case 'no-spread':
      return `${methodSentence(m)}: no spread measured (every run gave the same value), so a change cannot be told from noise`;
    case 'spread-unknown':
      return `${m.scope}: spread unknown (${ctx.missing ?? 'no per-second series for this metric'}; no repeats, no noise.json): ≥ 3 repeats per side needed`;
    default:
      return methodSentence(m);
  }
}

/** Repeats of one invocation compared with Welch's t on log values (a convenience over compareSides). */
export function compareSamples(
  base: readonly number[],
  candidate: readonly number[],
  options: CompareSidesOptions,
): SampleComparison {
  if (base.length === 0 || candidate.length === 0)
    throw new RangeError('compareSamples: both samples need at least one value');
  const side = (values: readonly number[]): Invocation[] => [
    { id: 'one', runs: values.map((value) => ({ value })) },
  ];
  return compareSides(side(base), side(candidate), options);
}

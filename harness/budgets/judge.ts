// Turning samples into one verdict: point estimate (median of repeats), bootstrap CI when there are
// repeats, and — when the budget states a confidence — the CI bound that must hold instead of the point.
import { median } from 'simple-statistics';
import type { Verdict } from '../results/schema.ts';
import { bootstrapCi, type Interval } from '../stats/bootstrap.ts';
import type { Budget, Comparator } from './schema.ts';

export function compare(value: number, op: Comparator, limit: number): boolean {
  switch (op) {
    case '<':
      return value < limit;
    case '<=':
      return value <= limit;
    case '>':
      return value > limit;
    case '>=':
      return value >= limit;
    case '==':
      return value === limit;
  }
}

/** Positive = headroom, negative = by how much the limit was missed (in the budget's unit). */
export function marginOf(measured: number, op: Comparator, limit: number): number {
  if (op === '<' || op === '<=') return limit - measured;
  if (op === '>' || op === '>=') return measured - limit;
  return -Math.abs(measured - limit);
}

/** The CI end that is worse for this comparator. */
export function unfavourableBound(ci: Interval, op: Comparator, limit: number): number {
  if (op === '<' || op === '<=') return ci[1];
  if (op === '>' || op === '>=') return ci[0];
  return Math.abs(ci[0] - limit) > Math.abs(ci[1] - limit) ? ci[0] : ci[1];
}

export function formatNumber(value: number): string {
  if (!Number.isFinite(value)) return String(value);
  const abs = Math.abs(value);
  if (abs !== 0 && (abs < 0.01 || abs >= 1e6)) return value.toPrecision(3);
  return String(Number(value.toFixed(abs < 10 ? 3 : abs < 1000 ? 2 : 0)));
}

export function withUnit(value: number, unit: string): string {
  if (unit === '') return formatNumber(value);
  return unit === '%' || unit === 'ms' ? `${formatNumber(value)}${unit}` : `${formatNumber(value)} ${unit}`;
}

export interface Judged {
  measured: number;
  ci: Interval | undefined;
  /** Point estimate passes, but is the judgement on the CI bound? */
  onBound: boolean;
  pass: boolean;
}

export function judgeSamples(budget: Budget, samples: readonly number[], seed: number): Judged {
  const measured = median([...samples]);
  const ci = bootstrapCi(samples, { seed, confidence: budget.confidence ?? 0.95 });
  const onBound = budget.confidence !== undefined && ci !== undefined;
  const judgedValue = onBound ? unfavourableBound(ci, budget.op, budget.limit) : measured;
  return { measured, ci, onBound, pass: compare(judgedValue, budget.op, budget.limit) };
}

export function verdictFrom(
  budget: Budget,
  label: string,
  judged: Judged,
  n: number,
  note?: string,
): Verdict {
  const { measured, ci, onBound, pass } = judged;
  const parts = [
    `${pass ? 'PASS' : 'FAIL'}: measured ${withUnit(measured, budget.unit)} ${pass ? 'within' : 'breaches'} ${budget.op} ${withUnit(budget.limit, budget.unit)}`,
  ];
  if (ci) {
    const level = Math.round((budget.confidence ?? 0.95) * 100);
    parts.push(
      `${level}% CI [${withUnit(ci[0], budget.unit)}, ${withUnit(ci[1], budget.unit)}] over ${n} repeats`,
    );
    if (onBound)
      parts.push(
        `judged on the CI bound ${withUnit(unfavourableBound(ci, budget.op, budget.limit), budget.unit)}`,
      );
  } else {
    parts.push(n === 1 ? 'single sample (no CI)' : `${n} samples`);
  }
  if (note) parts.push(note);
  return {
    budget: label,
    ...(budget.claim ? { claim: budget.claim } : {}),
    status: pass ? 'pass' : 'fail',
    measured,
    limit: budget.limit,
    unit: budget.unit,
    margin: marginOf(measured, budget.op, budget.limit),
    ...(ci ? { confidenceInterval: ci } : {}),
    confirmation: 'not-needed',
    message: parts.join('; '),
  };
}

/**
 * A budget "at N% confidence" judges a CI bound, which one sample per side cannot give: say how many
 * repeats it needs instead of falling back to the point estimate. Undefined when it can be judged.
 */
export function tooFewForConfidence(budget: Budget, samplesPerSide: number): string | undefined {
  if (budget.confidence === undefined || samplesPerSide >= 2) return undefined;
  const level = Math.round(budget.confidence * 100);
  return `"at ${level}% confidence" needs --repeat ≥ 2 per profile; got ${samplesPerSide}`;
}

/** The budget names scenarios, profiles or a driver this run did not select: listed, not judged. */
export function notInRun(budget: Budget, label: string, reason: string): Verdict {
  return {
    budget: label,
    ...(budget.claim ? { claim: budget.claim } : {}),
    status: 'not-in-run',
    measured: null,
    limit: budget.limit,
    unit: budget.unit,
    margin: null,
    message: `NOT IN THIS RUN: ${reason}`,
  };
}

export function notEvaluated(budget: Budget, label: string, reason: string): Verdict {
  return {
    budget: label,
    ...(budget.claim ? { claim: budget.claim } : {}),
    status: 'not-evaluated',
    measured: null,
    limit: budget.limit,
    unit: budget.unit,
    margin: null,
    message: `NOT EVALUATED: ${reason}`,
  };
}

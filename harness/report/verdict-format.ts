// How a verdict reads in every format: a word and a symbol, never colour alone.
import { withUnit } from '../budgets/judge.ts';
import type { Verdict } from './results-schema.ts';

export const STATUS_TEXT: Record<Verdict['status'], string> = {
  pass: '✔ PASS',
  fail: '✘ FAIL',
  inconclusive: '? INCONCLUSIVE',
  'not-evaluated': '⚠ NOT EVALUATED',
  'not-in-run': '· NOT IN THIS RUN',
};

export function measuredText(v: Verdict): string {
  if (v.measured === null) return '—';
  const ci = v.confidenceInterval
    ? ` (CI ${withUnit(v.confidenceInterval[0], v.unit)}–${withUnit(v.confidenceInterval[1], v.unit)})`
    : '';
  return `${withUnit(v.measured, v.unit)}${ci}`;
}

export function limitText(v: Verdict): string {
  const op = /\s(<=|>=|==|<|>)\s/.exec(v.budget)?.[1] ?? '';
  return `${op} ${withUnit(v.limit, v.unit)}`.trim();
}

export function confirmationText(v: Verdict): string {
  switch (v.confirmation) {
    case 'confirmed':
      return 'confirmed';
    case 'not-confirmed':
      return 'not confirmed (within noise)';
    default:
      return v.status === 'not-evaluated' ? '—' : 'not needed';
  }
}

export function overallStatus(verdicts: readonly Verdict[]): string {
  if (verdicts.length === 0) return 'no budgets evaluated';
  const count = (s: Verdict['status']) => verdicts.filter((v) => v.status === s).length;
  return `${count('pass')} passed, ${count('fail')} failed, ${count('not-evaluated')} not evaluated`;
}

// How a verdict reads in every format: a word and a symbol, never colour alone.
import { withUnit } from '../budgets/judge.ts';
import type { Verdict } from '../results/schema.ts';

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

/** Whether `--confirm` re-runs confirmed the first judgement; says nothing of noise (the message does). */
export function confirmationText(v: Verdict): string {
  switch (v.confirmation) {
    case 'confirmed':
      return 'confirmed';
    case 'not-confirmed':
      return 'not confirmed';
    default:
      return v.status === 'pass' || v.status === 'fail' ? 'not needed' : '—';
  }
}

export function overallStatus(verdicts: readonly Verdict[]): string {
  if (verdicts.length === 0) return 'no budgets evaluated';
  const count = (s: Verdict['status']) => verdicts.filter((v) => v.status === s).length;
  const optional = (s: Verdict['status'], words: string) => (count(s) > 0 ? `, ${count(s)} ${words}` : '');
  return `${count('pass')} passed, ${count('fail')} failed, ${count('not-evaluated')} not evaluated${optional('inconclusive', 'inconclusive')}${optional('not-in-run', 'not in this run')}`;
}

/** The verdict's message, with what it was measured on when that differs from the ADR. */
export function messageWithMeasuredOn(v: Verdict): string {
  return v.measuredOn && v.measuredOn.length > 0
    ? `${v.message}; measured on: ${v.measuredOn.join('; ')}`
    : v.message;
}

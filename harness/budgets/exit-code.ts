// The exit code of a gated run: 0 all pass; 1 a budget breached; 2 something was not evaluated (a broken
// run can never gate green) — or 1 for not-evaluated with `skippedAsFail`. No verdicts at all is 2.
import type { Verdict } from '../report/results-schema.ts';
import { EXIT } from '../cli/io.ts';

export interface ExitCodeOptions {
  skippedAsFail?: boolean;
}

export function exitCodeFor(verdicts: readonly Verdict[], options: ExitCodeOptions = {}): 0 | 1 | 2 {
  if (verdicts.length === 0) return EXIT.error;
  const notEvaluated = verdicts.some((v) => v.status === 'not-evaluated');
  if (notEvaluated && !options.skippedAsFail) return EXIT.error;
  if (notEvaluated || verdicts.some((v) => v.status === 'fail')) return EXIT.breach;
  return EXIT.ok;
}

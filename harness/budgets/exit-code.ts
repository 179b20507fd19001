// Exit codes. Budgets: 0 all pass; 1 a budget breached; 2 a budget could not be judged — not evaluated,
// or inconclusive (the data cannot tell a shortfall from noise) — so a broken run never gates green.
// `skippedAsFail` turns those 2s into 1; `allowInconclusive` lets inconclusive verdicts not count.
// "Not in this run" verdicts never count. No verdicts at all is 2.
// A run: 2 when it was interrupted, or (unless `allowErrors`) when any scenario errored or is
// incomplete, with or without budgets; a scenario skipped with its reason does not count.
import type { Results, Verdict } from '../results/schema.ts';
import { EXIT } from '../results/exit-codes.ts';

export interface ExitCodeOptions {
  skippedAsFail?: boolean;
  allowInconclusive?: boolean;
}

export function exitCodeFor(verdicts: readonly Verdict[], options: ExitCodeOptions = {}): 0 | 1 | 2 {
  if (verdicts.length === 0) return EXIT.error;
  const unjudged = verdicts.some(
    (v) => v.status === 'not-evaluated' || (v.status === 'inconclusive' && !options.allowInconclusive),
  );
  if (unjudged && !options.skippedAsFail) return EXIT.error;
  if (unjudged || verdicts.some((v) => v.status === 'fail')) return EXIT.breach;
  return EXIT.ok;
}

export interface RunExitOptions extends ExitCodeOptions {
  /** The old rule: errored or incomplete scenarios do not change the exit code. */
  allowErrors?: boolean;
}

export interface RunExit {
  code: 0 | 1 | 2;
  /** Why the run itself (not its budgets) exits 2, one line each. */
  problems: string[];
}

export function runExitCode(
  results: Results,
  verdicts: readonly Verdict[] | undefined,
  options: RunExitOptions,
): RunExit {
  const problems: string[] = [];
  if (results.run.status === 'incomplete')
    problems.push(`run incomplete: ${results.run.incompleteReason ?? 'no reason recorded'}`);
  if (!options.allowErrors) {
    for (const s of results.scenarios) {
      if (s.status !== 'errored' && s.status !== 'incomplete') continue;
      const driver = s.driver === 'dal' ? '' : ` (${s.driver})`;
      problems.push(
        `${s.scenario}/${s.profile}#${s.repeat}${driver} ${s.status}${s.reason ? ` (${s.reason})` : ''}`,
      );
    }
  }
  const fromRun = problems.length > 0 ? EXIT.error : EXIT.ok;
  const fromBudgets = verdicts ? exitCodeFor(verdicts, options) : EXIT.ok;
  return { code: Math.max(fromRun, fromBudgets) as 0 | 1 | 2, problems };
}

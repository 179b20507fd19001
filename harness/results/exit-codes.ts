// Process exit codes, shared by the CLI and the budget gate: 0 all good; 1 a budget or a check
// breached; 2 the run or a budget could not be judged (error, interrupted, inconclusive), so a
// broken run never gates green. Part of the results model: budgets/ decides a code without the CLI.
export const EXIT = { ok: 0, breach: 1, error: 2 } as const;

export type ExitCode = (typeof EXIT)[keyof typeof EXIT];

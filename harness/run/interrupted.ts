// The abort reason `dalbench run` gives its run on SIGINT/SIGTERM, so the results can say which signal
// cut the run short (a CI job cancelled by SIGTERM reads differently from a user's Ctrl-C).
export class RunInterrupted extends Error {
  override name = 'RunInterrupted';
  constructor(readonly signal: NodeJS.Signals) {
    super(`interrupted (${signal})`);
  }
}

/** "interrupted (SIGTERM)" when the run was aborted for a signal, "interrupted (aborted)" otherwise. */
export function interruptionText(reason: unknown): string {
  return reason instanceof RunInterrupted ? reason.message : 'interrupted (aborted)';
}

// Per-instance cleanup on process exit, SIGINT and SIGTERM (no global registry): registered when a
// provisioner starts, removed when it stops.

export interface CleanupHooks {
  /** Remove the handlers (call from stop()). */
  remove(): void;
}

/**
 * When ours is the only listener for SIGINT/SIGTERM, `stopAsync` runs and the signal is raised again
 * afterwards (our handler removed by then), so the process still ends the way it would have. When
 * someone else handles the signal, the shutdown is theirs. `stopSync` runs on 'exit', where only
 * synchronous work happens.
 */
export function installCleanupHooks(stopAsync: () => Promise<void>, stopSync: () => void): CleanupHooks {
  const signals = ['SIGINT', 'SIGTERM'] as const;
  const onSignal = (signal: NodeJS.Signals) => {
    // Another listener owns this signal (e.g. `dalbench run`, which stops the scenario, writes partial
    // results and then stops the stores through their owner): leave the stores up for it. The 'exit'
    // hook below still kills them if the process ends without stopping them.
    if (process.listenerCount(signal) > 1) return;
    void stopAsync()
      .catch(() => stopSync())
      .finally(() => process.kill(process.pid, signal));
  };
  const onExit = () => stopSync();
  for (const signal of signals) process.on(signal, onSignal);
  process.on('exit', onExit);
  return {
    remove() {
      for (const signal of signals) process.off(signal, onSignal);
      process.off('exit', onExit);
    },
  };
}

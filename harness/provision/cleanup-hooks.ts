// Per-instance cleanup on process exit, SIGINT and SIGTERM (no global registry): registered when a
// provisioner starts, removed when it stops.

export interface CleanupHooks {
  /** Remove the handlers (call from stop()). */
  remove(): void;
}

/**
 * `stopAsync` runs on SIGINT/SIGTERM; when ours was the only listener for that signal, the signal is raised
 * again afterwards (our handler removed by then) so the process still ends the way it would have. `stopSync` runs on 'exit', where only
 * synchronous work happens.
 */
export function installCleanupHooks(stopAsync: () => Promise<void>, stopSync: () => void): CleanupHooks {
  const signals = ['SIGINT', 'SIGTERM'] as const;
  const onSignal = (signal: NodeJS.Signals) => {
    // Decided now, not after stopping: other listeners may unregister while we stop.
    const alone = process.listenerCount(signal) === 1;
    void stopAsync()
      .catch(() => stopSync())
      .finally(() => {
        if (alone) process.kill(process.pid, signal);
      });
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

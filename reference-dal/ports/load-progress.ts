// How a bulk loader reports progress; the harness draws bars and lines (harness/data/progress.ts).

export interface Progress {
  /** Count `n` more records done. */
  add(n: number): void;
  /** Final line (also when the load failed: pass the error). */
  done(error?: unknown): void;
  readonly count: number;
}

/** A Progress that prints nothing (tests, benchmarks). */
export const silentProgress = (): Progress => {
  let count = 0;
  return {
    add: (n) => {
      count += n;
    },
    done: () => undefined,
    get count() {
      return count;
    },
  };
};

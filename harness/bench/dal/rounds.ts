// Interleaved rounds: every round measures every path's DAL call, raw call (and extra guarantee)
// back to back, in alternating order, so drift on a shared machine hits both sides of a ratio
// alike. Each round contributes one median per side; verdicts are built from per-round ratios.
import { Bench } from 'tinybench';
import type { BenchPath } from './path.ts';
import { median, medianUs } from './bench-row.ts';
import { performance } from 'node:perf_hooks';

/** Fewest calls per side per round: enough for a stable median of a slow path. */
export const MIN_ITERATIONS = 8;
const WARMUP_ITERATIONS = 4;

export interface RoundOptions {
  readonly rounds: number;
  /** Time per task per round. */
  readonly timeMs: number;
  /** Called before each path's round, e.g. to print progress. */
  readonly onRound?: (round: number, path: BenchPath) => void;
}

export interface PathSamples {
  readonly path: BenchPath;
  /** Per-round medians in µs. */
  readonly dalUs: number[];
  readonly rawUs: number[];
  /**
   * Per-round median cost of the extra guarantee: timed right after a raw call, or (inline) the
   * median of the raw call doing it minus raw's.
   */
  readonly guaranteeUs: number[];
}

export async function measureRounds(
  paths: readonly BenchPath[],
  options: RoundOptions,
): Promise<PathSamples[]> {
  if (!(Number.isInteger(options.rounds) && options.rounds >= 2))
    throw new RangeError(`rounds: expected an integer ≥ 2, got ${options.rounds}`);
  if (!(options.timeMs > 0)) throw new RangeError(`timeMs: expected > 0, got ${options.timeMs}`);
  const samples: PathSamples[] = paths.map((path) => ({ path, dalUs: [], rawUs: [], guaranteeUs: [] }));
  for (let round = 0; round < options.rounds; round++) {
    for (const sample of samples) {
      options.onRound?.(round, sample.path);
      const tasks: [string, () => Promise<void> | void][] = [
        ['dal', sample.path.dal],
        ['raw', sample.path.raw],
      ];
      // The guarantee is timed in context: right after a raw call, as it runs inside the DAL. Alone
      // in a tight loop it runs hot (zod validation of an entity: 1.6 µs there, ≈ 8 µs between two
      // round trips, measured on this VM), which would charge the difference to the DAL's code.
      // Only the guarantee is timed (not raw + guarantee − raw, whose noise swamps a small cost).
      const guarantee = sample.path.guarantee;
      const guaranteeTimes: number[] = [];
      const inline = guarantee?.timed === 'inline';
      if (guarantee && inline) tasks.push(['guarantee', guarantee.task]);
      else if (guarantee) {
        const raw = sample.path.raw;
        tasks.push([
          'guarantee',
          async () => {
            await raw();
            const start = performance.now();
            await guarantee.task();
            guaranteeTimes.push((performance.now() - start) * 1000);
          },
        ]);
      }
      const bench = new Bench({
        time: options.timeMs,
        // tinybench's defaults (≥ 64 iterations, ≥ 16 warmup) made a 9 MiB multipart path take
        // seconds per side per round; a round needs a median, the rounds give the spread.
        iterations: MIN_ITERATIONS,
        warmup: true,
        warmupIterations: WARMUP_ITERATIONS,
        warmupTime: Math.min(100, options.timeMs / 3),
        throws: true,
      });
      const settle = sample.path.settle;
      // async: true spares tinybench's detection call, which would run a task outside its settled block.
      const hooks = { async: true, ...(settle ? { beforeAll: () => settle() } : {}) };
      for (const [name, task] of orderInRound(tasks, round)) bench.add(name, task, hooks);
      try {
        await bench.run();
      } catch (error) {
        throw new Error(`bench path ${sample.path.id} failed in round ${round + 1}`, { cause: error });
      }
      const medians = new Map(bench.tasks.map((task) => [task.name, medianUs(task)]));
      sample.dalUs.push(medians.get('dal')!);
      sample.rawUs.push(medians.get('raw')!);
      if (guarantee)
        sample.guaranteeUs.push(
          inline ? medians.get('guarantee')! - medians.get('raw')! : median(guaranteeTimes),
        );
    }
  }
  return samples;
}

/**
 * The order of a path's tasks in one round: rotated so that over every n rounds each of n tasks runs
 * first once (and each other position once), reversed every other cycle. Reversal alone put the
 * middle of three tasks (dal, raw, guarantee) never first, so raw never paid for whatever the
 * previous path left the store doing, and the DAL paid in half the rounds.
 */
export function orderInRound<T>(tasks: readonly T[], round: number): T[] {
  const n = tasks.length;
  const shift = round % n;
  const rotated = [...tasks.slice(shift), ...tasks.slice(0, shift)];
  return Math.floor(round / n) % 2 === 0 ? rotated : rotated.reverse();
}

// bench:dal's engine, apart from provisioning and the CLI: opens the selected path groups on the
// given stores, measures them in interleaved rounds, judges each path and closes every group,
// also when one fails. Returns the verdicts; the caller prints, records and picks the exit code.
import { performance } from 'node:perf_hooks';
import type { StoreKind } from '../../provision/provisioner.ts';
import type { BenchPath, PathGroup, PathGroupSpec, StoreUrls } from './path.ts';
import { measureRounds } from './rounds.ts';
import { judgePath, type PathVerdict } from './verdict.ts';

export interface DalBenchOptions {
  readonly groups: readonly PathGroupSpec[];
  readonly urls: StoreUrls;
  /** Why a store kind is missing, for the skipped lines. */
  readonly unavailable?: Readonly<Partial<Record<StoreKind, string>>>;
  /** Path id prefixes to run (`--paths`); all paths when absent. */
  readonly select?: readonly string[];
  readonly rounds: number;
  readonly timeMs: number;
  readonly seed: number;
  /**
   * Test-only: µs of busy work added to the DAL side of the named paths, so a test can prove that
   * `--check` catches a slowed path. Never set by the CLI.
   */
  readonly slowDalUs?: Readonly<Record<string, number>>;
  readonly log?: (line: string) => void;
}

export interface DalBenchResult {
  readonly verdicts: PathVerdict[];
  readonly skipped: string[];
}

export async function runDalBench(options: DalBenchOptions): Promise<DalBenchResult> {
  const log = options.log ?? (() => undefined);
  const select = options.select?.filter((s) => s.length > 0);
  const skipped: string[] = [];
  const opened: PathGroup[] = [];
  try {
    return await measureOpened(options, opened, skipped, select, log);
  } finally {
    // Close in reverse order; a failing close must not keep the others open.
    const errors: unknown[] = [];
    for (const group of opened.reverse()) {
      try {
        await group[Symbol.asyncDispose]();
      } catch (error) {
        errors.push(error);
      }
    }
    if (errors.length > 0) log(`closing bench groups: ${errors.map(String).join('; ')}`);
  }
}

async function measureOpened(
  options: DalBenchOptions,
  opened: PathGroup[],
  skipped: string[],
  select: readonly string[] | undefined,
  log: (line: string) => void,
): Promise<DalBenchResult> {
  const paths: BenchPath[] = [];
  for (const group of options.groups) {
    if (select && !select.some((s) => s.startsWith(`${group.name}.`) || group.name.startsWith(s))) continue;
    const missing = group.needs.filter((kind) => !options.urls[kind]);
    if (missing.length > 0) {
      skipped.push(
        `${group.name}: ${missing.map((k) => `${k} unavailable (${options.unavailable?.[k] ?? 'not started'})`).join('; ')}`,
      );
      continue;
    }
    log(`opening ${group.name} …`);
    const urls = Object.fromEntries(
      [...group.needs, ...(group.wants ?? [])].flatMap((kind) => {
        const url = options.urls[kind];
        return url ? [[kind, url]] : [];
      }),
    );
    const handle = await group.open(urls, options.unavailable ?? {});
    opened.push(handle);
    for (const path of handle.paths) {
      if (!path.id.startsWith(`${group.name}.`))
        throw new Error(`bench path ${path.id}: its id must start with its group "${group.name}."`);
      if (select && !select.some((s) => path.id.startsWith(s))) continue;
      paths.push(slowed(path, options.slowDalUs?.[path.id]));
    }
  }
  if (select && paths.length === 0 && skipped.length === 0) {
    throw new Error(
      `--paths ${select.join(',')}: no bench path matches (groups: ${options.groups.map((g) => g.name).join(', ')})`,
    );
  }
  const samples = await measureRounds(paths, {
    rounds: options.rounds,
    timeMs: options.timeMs,
    onRound: (round, path) => {
      if (path === paths[0]) log(`round ${round + 1}/${options.rounds} …`);
    },
  });
  return { verdicts: samples.map((s) => judgePath(s, { seed: options.seed })), skipped };
}

function slowed(path: BenchPath, delayUs: number | undefined): BenchPath {
  if (!delayUs) return path;
  return {
    ...path,
    dal: async () => {
      await path.dal();
      const until = performance.now() + delayUs / 1_000;
      while (performance.now() < until) {
        // busy work, not a timer: a timer's granularity would swamp a sub-millisecond path
      }
    },
  };
}

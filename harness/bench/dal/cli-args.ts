// bench:dal's flags, validated at the edge: a bad flag is an error naming it, exit 2.
import { parseArgs } from 'node:util';
import { envSeed } from '../../stats/random.ts';

export interface DalBenchArgs {
  readonly check: boolean;
  readonly select?: readonly string[];
  readonly rounds: number;
  readonly timeMs: number;
  readonly seed: number;
  readonly json?: string;
  /** Where the per-store record for `dalbench run` goes ('default': the cache dir's file); undefined with --no-record. */
  readonly record: string | undefined;
}

export const DAL_BENCH_USAGE = `usage: npm run bench:dal -- [--check] [--paths ID,…] [--rounds N] [--time-ms MS] [--seed N] [--json FILE] [--record FILE | --no-record]
  --check       exit 1 when a path's DAL/raw ratio is over its target with confidence (the lower
                bound of its 90 % bootstrap interval over rounds above the target), else 0
  --paths       run only paths whose id starts with one of these (e.g. objects.,redis.cache-get)
  --rounds      interleaved rounds (default 12: a multiple of 2 × 2 and 2 × 3 tasks, so
                each task runs in each position equally often); --time-ms per task per
                round (default 200)
  --json        also write the verdicts as JSON to FILE
  --record      where the per-store record read by \`dalbench run\` is written (default:
                $XDG_CACHE_HOME/dalbench/dal-overhead.json; only full runs are recorded)`;

export class DalBenchArgsError extends Error {}

export function parseDalBenchArgs(argv: readonly string[], env: NodeJS.ProcessEnv): DalBenchArgs {
  let values;
  try {
    ({ values } = parseArgs({
      args: [...argv],
      strict: true,
      allowPositionals: false,
      options: {
        check: { type: 'boolean', default: false },
        paths: { type: 'string' },
        rounds: { type: 'string', default: '12' },
        'time-ms': { type: 'string', default: '200' },
        seed: { type: 'string' },
        json: { type: 'string' },
        record: { type: 'string' },
        'no-record': { type: 'boolean', default: false },
        help: { type: 'boolean', default: false },
      },
    }));
  } catch (error) {
    throw new DalBenchArgsError(`bench:dal: ${(error as Error).message}\n${DAL_BENCH_USAGE}`);
  }
  if (values.help) throw new DalBenchArgsError(DAL_BENCH_USAGE);
  const rounds = integer('--rounds', values.rounds, 2);
  const timeMs = integer('--time-ms', values['time-ms'], 10);
  const seed = values.seed === undefined ? envSeed(env) : integer('--seed', values.seed, 0);
  const select = values.paths?.split(',').map((s) => s.trim());
  if (select && select.some((s) => s === ''))
    throw new DalBenchArgsError(`--paths "${values.paths}": empty entry; expected comma-separated path ids`);
  if (values.record !== undefined && values['no-record'])
    throw new DalBenchArgsError('--record and --no-record: give one of them');
  return {
    check: values.check,
    ...(select ? { select } : {}),
    rounds,
    timeMs,
    seed,
    ...(values.json ? { json: values.json } : {}),
    record: values['no-record'] ? undefined : (values.record ?? 'default'),
  };
}

function integer(flag: string, raw: string, min: number): number {
  const value = Number(raw);
  if (!Number.isInteger(value) || value < min)
    throw new DalBenchArgsError(`${flag} "${raw}": expected an integer ≥ ${min}`);
  return value;
}

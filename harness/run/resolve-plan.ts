// CLI flags + dalbench.config.ts → RunPlan. Every bad value fails here, naming the flag.
import { builtInProfiles } from '../../reference-dal/profiles/builtin-profiles.ts';
import type { Profile } from '../../reference-dal/profiles/profile.ts';
import { atScale, builtInScenarios, type ScenarioEntry } from '../../scenarios/index.ts';
import { parseScales, type ScaleSpec } from '../data/scale.ts';
import { parseProvisionMode } from '../provision/create-provisioner.ts';
import { parseShard } from '../workload/shard.ts';
import { CONFIG_FILE, type DalbenchConfig } from './config.ts';
import { parseDuration } from './duration.ts';
import { DRIVERS, QUICK_PHASES, type Driver, type RunPlan } from './run-plan.ts';
import { parseStableWarmup } from '../workload/warmup.ts';

export interface RunFlags {
  scenario?: string;
  profile?: string;
  stores?: string;
  duration?: string;
  warmup?: string;
  rate?: string;
  concurrency?: string;
  seed?: string;
  quick?: boolean;
  shard?: string;
  repeat?: string;
  driver?: string;
  scale?: string;
  reuseData?: boolean;
  /** Commander's `--no-equal-memory` sets false. */
  equalMemory?: boolean;
}

export class FlagError extends Error {
  override name = 'FlagError';
}

const DEFAULT_PROFILES = ['polyglot', 'single-postgres', 'polyglot-nocache'];

export function resolvePlan(
  flags: RunFlags,
  config: DalbenchConfig | undefined,
  randomSeed: () => number,
  env: Readonly<Record<string, string | undefined>> = {},
): RunPlan {
  const d = config?.defaults ?? {};
  const quick = flags.quick ?? false;
  const scenarios = new Map<string, ScenarioEntry>(builtInScenarios({ size: quick ? 'quick' : 'full' }));
  for (const s of config?.scenarios ?? []) scenarios.set(s.name, { scenario: s });
  const profiles = new Map<string, Profile>(builtInProfiles());
  for (const p of config?.profiles ?? []) profiles.set(p.name, p);

  const selected = select('--scenario', list(flags.scenario) ?? d.scenarios, scenarios);
  const scales = flags.scale === undefined ? undefined : parseScaleFlag(flags.scale);
  const chosenScenarios = scales ? sweep(selected, scales, quick) : selected;
  const chosenProfiles = select('--profile', list(flags.profile) ?? d.profiles ?? DEFAULT_PROFILES, profiles);
  if (flags.rate !== undefined && flags.concurrency !== undefined)
    throw new FlagError('--rate and --concurrency exclude each other: give one');
  const rate = flags.rate !== undefined ? positive('--rate', flags.rate, false) : d.rate;
  const concurrency =
    flags.concurrency !== undefined
      ? positive('--concurrency', flags.concurrency, true)
      : (d.concurrency ?? (quick ? QUICK_PHASES.concurrency : 8));
  const seed = flags.seed !== undefined ? integer('--seed', flags.seed) : (d.seed ?? randomSeed());
  const repeat = flags.repeat !== undefined ? positive('--repeat', flags.repeat, true) : (d.repeat ?? 1);
  const reuseData = flags.reuseData ?? d.reuseData ?? false;
  const equalMemory = flags.equalMemory ?? d.equalMemory ?? true;
  const durationMs =
    flags.duration !== undefined ? parseDuration(flags.duration, '--duration') : d.durationMs;
  const warmupUntilStable =
    flags.warmup !== undefined
      ? parseStableWarmup(
          flags.warmup,
          (text) => parseDuration(text, '--warmup'),
          (message) => new FlagError(`--warmup ${message}`),
        )
      : undefined;
  const warmupMs = warmupUntilStable
    ? undefined
    : flags.warmup !== undefined
      ? parseDuration(flags.warmup, '--warmup')
      : d.warmupMs;
  const shard = flags.shard !== undefined ? parseShard(flags.shard) : undefined;
  if (shard && reuseData) {
    // Each shard builds its own system: two shards would find each other's half-loaded dataset.
    throw new FlagError(
      '--reuse-data and --shard exclude each other: shards do not share one dataset; give one of them',
    );
  }
  const driver = (flags.driver ?? 'dal') as Driver;
  if (!DRIVERS.includes(driver))
    throw new FlagError(`--driver: expected one of ${DRIVERS.join(', ')}, got "${flags.driver}"`);
  // The http driver is autocannon's closed loop on one stream: an open-loop rate or a share of the
  // load would be silently ignored, so the combination is refused rather than mismeasured.
  if (driver !== 'dal') {
    const openLoop = flags.concurrency === undefined && rate !== undefined;
    const refused = [
      ...(openLoop ? [flags.rate !== undefined ? '--rate' : `defaults.rate (${CONFIG_FILE})`] : []),
      ...(shard ? ['--shard'] : []),
    ];
    if (warmupUntilStable) refused.push('--warmup stable');
    if (refused.length > 0)
      throw new FlagError(
        `--driver ${driver} cannot be combined with ${refused.join(' or ')}: the http driver runs a closed loop (--concurrency) on one stream; use --driver dal for an open loop, shards or a warmup until stable`,
      );
  }
  // The flag, else DALBENCH_STORES (as the README and `stores up` promise), else the config's default.
  const stores =
    flags.stores !== undefined
      ? parseProvisionMode(flags.stores, '--stores')
      : env['DALBENCH_STORES']?.trim()
        ? parseProvisionMode(env['DALBENCH_STORES'], 'DALBENCH_STORES')
        : (d.stores ?? 'auto');
  const load =
    rate !== undefined && flags.concurrency === undefined
      ? ({ type: 'open', ratePerSec: rate } as const)
      : ({ type: 'closed', concurrency } as const);
  return Object.freeze({
    scenarios: chosenScenarios,
    profiles: chosenProfiles,
    stores,
    load,
    seed,
    durationMs,
    warmupMs,
    warmupUntilStable,
    quick,
    repeat,
    shard,
    driver,
    reuseData,
    equalMemory,
    config: {
      scenarios: chosenScenarios.map((s) => s.scenario.name),
      profiles: chosenProfiles.map((p) => p.name),
      stores,
      load,
      seed,
      durationMs: durationMs ?? (quick ? QUICK_PHASES.durationMs : 'scenario default'),
      warmupMs: warmupUntilStable
        ? `until stable (p50 within ±${warmupUntilStable.tolerance * 100} % over ${warmupUntilStable.windows} windows of ${warmupUntilStable.windowMs} ms, cap ${warmupUntilStable.capMs} ms)`
        : (warmupMs ?? (quick ? QUICK_PHASES.warmupMs : 'scenario default')),
      quick,
      repeat,
      driver,
      ...(reuseData ? { reuseData } : {}),
      ...(equalMemory ? {} : { equalMemory }),
      ...(scales ? { scales: scales.map((s) => s.name) } : {}),
      ...(shard ? { shard: `${shard.index}/${shard.count}` } : {}),
    },
  });
}

function parseScaleFlag(text: string): ScaleSpec[] {
  try {
    return parseScales(text, '--scale');
  } catch (error) {
    throw new FlagError((error as Error).message);
  }
}

/**
 * One entry per size and scenario, sizes outermost (smallest first as given): each size runs every
 * scenario × repeat × profile, profiles interleaved as `--repeat` does.
 */
function sweep(
  selected: readonly ScenarioEntry[],
  scales: readonly ScaleSpec[],
  quick: boolean,
): ScenarioEntry[] {
  const fixed = selected.filter((e) => !e.scalable).map((e) => e.scenario.name);
  if (fixed.length > 0) {
    const scalable = [...builtInScenarios().values()].filter((e) => e.scalable).map((e) => e.scenario.name);
    throw new FlagError(
      `--scale: ${fixed.join(', ')} do${fixed.length === 1 ? 'es' : ''} not declare how ${fixed.length === 1 ? 'its' : 'their'} data grows; choose scenarios that do with --scenario (${scalable.join(', ')})`,
    );
  }
  return scales.flatMap((scale) => {
    const built = builtInScenarios({ size: quick ? 'quick' : 'full', scale });
    return selected.map((entry) => atScale(built.get(entry.scenario.name)!, scale));
  });
}

/** Every scenario and profile a run could select: built-in and the config's (for budget name checks). */
export function runCatalogue(config: DalbenchConfig | undefined): {
  scenarios: string[];
  profiles: string[];
} {
  const scenarios = new Set([...builtInScenarios().keys(), ...(config?.scenarios ?? []).map((s) => s.name)]);
  const profiles = new Set([...builtInProfiles().keys(), ...(config?.profiles ?? []).map((p) => p.name)]);
  return { scenarios: [...scenarios], profiles: [...profiles] };
}

function list(text: string | undefined): string[] | undefined {
  if (text === undefined) return undefined;
  const items = text
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);
  return items.length > 0 ? items : undefined;
}

function select<T>(flag: string, names: readonly string[] | undefined, known: ReadonlyMap<string, T>): T[] {
  if (!names) return [...known.values()];
  const unknown = names.filter((n) => !known.has(n));
  if (unknown.length > 0)
    throw new FlagError(
      `${flag}: unknown ${unknown.map((n) => `"${n}"`).join(', ')} (known: ${[...known.keys()].join(', ')})`,
    );
  return [...new Set(names)].map((n) => known.get(n)!);
}

// Number('') and Number('  ') are 0: a blank value (`--seed ""`, an unset shell variable) must not
// pass as zero.
const numberOf = (text: string): number => (text.trim() === '' ? NaN : Number(text));

function positive(flag: string, text: string, int: boolean): number {
  const value = numberOf(text);
  if (!Number.isFinite(value) || value <= 0 || (int && !Number.isInteger(value)))
    throw new FlagError(`${flag}: expected a positive ${int ? 'integer' : 'number'}, got "${text}"`);
  return value;
}

function integer(flag: string, text: string): number {
  const value = numberOf(text);
  if (!Number.isSafeInteger(value) || value < 0)
    throw new FlagError(`${flag}: expected a non-negative integer, got "${text}"`);
  return value;
}

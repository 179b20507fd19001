// Equal memory per profile: a comparison of storage options is only fair when each gets the same
// memory. The budget is the largest total any profile of the run uses (PostgreSQL shared_buffers
// where it uses PostgreSQL or TimescaleDB, plus the Elasticsearch heap where it uses Elasticsearch);
// a profile that uses less gets the difference as PostgreSQL shared_buffers, the one memory a
// PostgreSQL-only profile can spend. Redis (capped per scenario), S3Proxy and the OS page cache are
// not counted: dalbench does not size them.
import type { Profile, ProfileStore } from '../../reference-dal/profiles/profile.ts';
import { formatErrorChain } from '../../reference-dal/error-chain.ts';
import type { ProvisionedStores } from '../provision/provisioner.ts';
import type { StoreMemory } from '../provision/store-memory.ts';
import { memoryLine } from '../results/measured-on.ts';
import type { RunMemory } from '../results/schema.ts';

export interface ProfileMemory {
  readonly profile: string;
  /** What the profile's PostgreSQL gets (undefined: it uses none). */
  readonly postgresSharedBuffersMb?: number;
  /** The Elasticsearch heap it uses (undefined: it uses none). */
  readonly elasticsearchHeapMb?: number;
  readonly totalMb: number;
}

export interface MemoryPlan {
  readonly budgetMb: number;
  readonly profiles: readonly ProfileMemory[];
}

function uses(profile: Profile, up: readonly ProfileStore[]): (kind: ProfileStore) => boolean {
  const used = new Set([...profile.requires, ...profile.optional].filter((k) => up.includes(k)));
  return (kind) => used.has(kind);
}

/** What each profile gets when every profile is given the largest total of any of them. */
export function equalMemoryPlan(
  memory: StoreMemory,
  profiles: readonly Profile[],
  up: readonly ProfileStore[],
): MemoryPlan {
  return memoryPlan(memory, profiles, up, true);
}

/** The same accounting without equalising: what each profile had on stores sized once for the run. */
export function sharedMemoryPlan(
  memory: StoreMemory,
  profiles: readonly Profile[],
  up: readonly ProfileStore[],
): MemoryPlan {
  return memoryPlan(memory, profiles, up, false);
}

function memoryPlan(
  memory: StoreMemory,
  profiles: readonly Profile[],
  up: readonly ProfileStore[],
  equalise: boolean,
): MemoryPlan {
  const sized = profiles.map((profile) => {
    const has = uses(profile, up);
    const postgres = has('postgres') || has('timescaledb');
    const heap = has('elasticsearch') ? memory.elasticsearch.heapMb : undefined;
    const own = (postgres ? memory.postgres.sharedBuffersMb : 0) + (heap ?? 0);
    return { profile: profile.name, postgres, heap, own };
  });
  const budgetMb = Math.max(0, ...sized.map((s) => s.own));
  return {
    budgetMb,
    profiles: sized.map(({ profile, postgres, heap, own }) => {
      const sharedBuffers = postgres
        ? memory.postgres.sharedBuffersMb + (equalise ? budgetMb - own : 0)
        : undefined;
      return {
        profile,
        ...(sharedBuffers === undefined ? {} : { postgresSharedBuffersMb: sharedBuffers }),
        ...(heap === undefined ? {} : { elasticsearchHeapMb: heap }),
        totalMb: (sharedBuffers ?? 0) + (heap ?? 0),
      };
    }),
  };
}

export interface RunMemoryControl {
  /** What results.json records; undefined for external stores (dalbench did not size them). */
  readonly record: () => RunMemory | undefined;
  /**
   * Before a pair (or job) of `profile`: PostgreSQL restarted with the profile's shared_buffers when
   * it differs; unequalised, back at its own size once (a run before may have left it resized).
   */
  readonly before: (profile: Profile, pair: string) => Promise<void>;
}

/**
 * Equal memory per profile over `stores`, the budget taken over `profiles` (all of a run's, also for
 * its confirmation re-runs): on where PostgreSQL can be restarted with new sizes (local mode) unless
 * `equal` is false; otherwise recorded as not equalised, with why. A restart that fails turns it off
 * for the rest of the run (PostgreSQL back at its own size) and the record says from which pair on.
 */
export function runMemoryControl(
  stores: ProvisionedStores,
  profiles: readonly Profile[],
  up: readonly ProfileStore[],
  options: { readonly equal: boolean; readonly log: (line: string) => void },
): RunMemoryControl {
  const memory = stores.memory;
  if (!memory) return { record: () => undefined, before: () => Promise.resolve() };
  const equal = equalMemoryPlan(memory, profiles, up);
  const shared = sharedMemoryPlan(memory, profiles, up);
  const resize = stores.resizePostgres?.bind(stores);
  let off = !options.equal
    ? '--no-equal-memory'
    : !resize
      ? `${stores.endpoints.postgres?.mode ?? 'this'} mode cannot restart PostgreSQL between pairs`
      : undefined;
  // A profile with no PostgreSQL has nowhere to take the difference: equalised for the others only.
  const short = equal.profiles.filter((p) => p.totalMb !== equal.budgetMb).map((p) => p.profile);
  const partly =
    short.length > 0
      ? `${short.join(', ')} use${short.length === 1 ? 's' : ''} no PostgreSQL to take the difference`
      : undefined;
  let resetDone = false;
  const record = (): RunMemory => {
    const why = off ?? partly;
    return {
      budgetMb: equal.budgetMb,
      equalised: why === undefined,
      ...(why === undefined ? {} : { why }),
      basis: memory.basis,
      profiles: [...(off === undefined ? equal : shared).profiles],
    };
  };
  options.log(memoryLine(record()));
  return {
    record,
    before: async (profile, pair) => {
      if (!resize) return;
      if (off !== undefined) {
        if (resetDone) return;
        resetDone = true;
        await resize(memory.postgres).catch((error: unknown) =>
          options.log(`postgres: restarting with its own sizes failed: ${formatErrorChain(error, 'line')}`),
        );
        return;
      }
      const sharedBuffersMb = equal.profiles.find((p) => p.profile === profile.name)?.postgresSharedBuffersMb;
      if (sharedBuffersMb === undefined) return;
      try {
        await resize({ ...memory.postgres, sharedBuffersMb });
      } catch (error) {
        off = `restarting PostgreSQL with shared_buffers ${sharedBuffersMb} MiB before ${pair} failed (the pairs before it ran equalised): ${formatErrorChain(error, 'line')}`;
        resetDone = true;
        options.log(
          `memory per profile: ${off}; back to ${memory.postgres.sharedBuffersMb} MiB for the rest of the run`,
        );
        await resize(memory.postgres).catch((again: unknown) =>
          options.log(
            `postgres: restarting with its own sizes failed too: ${formatErrorChain(again, 'line')}`,
          ),
        );
      }
    },
  };
}

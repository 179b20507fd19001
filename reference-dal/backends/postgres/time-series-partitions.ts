// Weekly partitions of the metrics table, created on demand before a write. Weeks start on
// Mondays aligned to BUCKET_ORIGIN, so no bucket of up to 7 days straddles two partitions.
// Creation is race-safe: CREATE … IF NOT EXISTS, and a concurrent creator's duplicate is ignored.
import { BUCKET_ORIGIN } from '../../ports/time-series.ts';
import { sqlState, type Queryable } from '../../sql/queryable.ts';

export const PARTITION_MS = 7 * 86_400_000;

/** Start (ms) of the partition holding `timeMs`. */
export function partitionStart(timeMs: number): number {
  const origin = BUCKET_ORIGIN.getTime();
  return origin + Math.floor((timeMs - origin) / PARTITION_MS) * PARTITION_MS;
}

/** Partition table name from its start date: digits only, so safe to splice. */
export function partitionName(table: string, startMs: number): string {
  const iso = new Date(startMs).toISOString();
  return `${table}_p${iso.slice(0, 10).replace(/-/g, '')}`;
}

const IGNORABLE = new Set(['42P07', '23505']); // duplicate_table; unique_violation on pg_type in a race

export class PartitionManager {
  readonly #db: Queryable;
  readonly #table: string;
  /** Partition starts known to exist; forgotten by reset() when a write finds one missing. */
  readonly #known = new Set<number>();

  constructor(db: Queryable, table: string) {
    this.#db = db;
    this.#table = table;
  }

  /** Create every missing partition covering `timesMs`; returns how many were created or confirmed. */
  async ensure(timesMs: Iterable<number>): Promise<number> {
    const missing = new Set<number>();
    for (const time of timesMs) {
      const start = partitionStart(time);
      if (!this.#known.has(start)) missing.add(start);
    }
    for (const start of [...missing].sort((a, b) => a - b)) {
      const name = partitionName(this.#table, start);
      const from = new Date(start).toISOString();
      const to = new Date(start + PARTITION_MS).toISOString();
      try {
        await this.#db.query({
          text: `CREATE TABLE IF NOT EXISTS ${name} PARTITION OF ${this.#table}
                 FOR VALUES FROM ('${from}') TO ('${to}')`,
        });
      } catch (error) {
        if (!IGNORABLE.has(sqlState(error) ?? '')) throw error;
      }
      this.#known.add(start);
    }
    return missing.size;
  }

  /** Whether the partition of `timeMs` is known to exist (no round trip). */
  covers(timeMs: number): boolean {
    return this.#known.has(partitionStart(timeMs));
  }

  reset(): void {
    this.#known.clear();
  }
}

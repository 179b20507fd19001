// What bench:dal measures: a path is one DAL call beside the raw client call doing the same work on
// the same store. A path group opens what its paths need (a scratch database, an index, a bucket)
// and closes it afterwards, so the bench never touches a caller's data.
import type { StoreKind } from '../../provision/provisioner.ts';

/** The DAL may take at most 10 % longer than its raw client on any path (issue 13). */
export const DEFAULT_MAX_RATIO = 1.1;

export interface ExtraGuarantee {
  /** What the DAL does that the raw call does not, e.g. "SHA-256 of 4 KiB (integrity check)". */
  readonly title: string;
  /**
   * That work alone, timed in the same rounds right after a raw call (so it runs as cold as inside
   * the DAL); the path is judged with it as `combine` says.
   */
  readonly task: () => Promise<void> | void;
  /**
   * How the path is judged with it. 'subtract' (default): (DAL − guarantee) ÷ raw, the DAL net of a
   * small extra (a hash, a validation). 'add': DAL ÷ (raw + guarantee), the DAL against the raw
   * client doing all of the same work in two timed parts, for a guarantee that is most of the work
   * (the outbox's three round trips beside a one-statement insert): subtracting it would charge the
   * DAL's handling of those round trips to the one raw statement.
   */
  readonly combine?: 'subtract' | 'add';
  /**
   * How its cost is timed. 'after-raw' (default): `task` is the guarantee's work alone, timed right
   * after a raw call. 'inline': `task` is the raw call doing that work inside it, as a raw client
   * wanting the same guarantee writes it (a hash updated as a stream's chunks arrive), timed whole
   * in its own block; the cost is that block's median minus raw's. A hash inside a read holds up
   * the reads and costs more there than alone (SHA-256 of 1 MiB: ≈ 0.6 ms alone, yet the raw read
   * hashing inline came to 1.18 × raw net of that, on this VM): 'after-raw' would charge the
   * difference to the DAL.
   */
  readonly timed?: 'after-raw' | 'inline';
}

export interface BenchPath {
  /** Stable id, used by `--paths`, the JSON record and run metadata: `<group>.<path>`. */
  readonly id: string;
  readonly title: string;
  readonly store: StoreKind;
  readonly dal: () => Promise<void>;
  readonly raw: () => Promise<void>;
  /** Judged against `dal / raw ≤ maxRatio` (default 1.10). */
  readonly maxRatio?: number;
  readonly guarantee?: ExtraGuarantee;
  /**
   * Puts the store back into one state before each side's block of calls, untimed. A path that
   * overwrites one row leaves dead tuples and TOAST chunks behind, and each block then starts from
   * whatever the previous block left: the same code measured 0.47–1.40 × itself per round
   * (bytea upsert, 4 KiB). VACUUM before each block brought that to 0.98–1.03.
   */
  readonly settle?: () => Promise<void>;
  /** How both sides are set up (pool sizes, client settings, data size): printed under the table. */
  readonly note: string;
}

export interface PathGroup extends AsyncDisposable {
  readonly paths: readonly BenchPath[];
}

/** Store URLs a group is opened with (only the kinds it declares it needs are present). */
export type StoreUrls = Readonly<Partial<Record<StoreKind, string>>>;

export interface PathGroupSpec {
  readonly name: string;
  readonly needs: readonly StoreKind[];
  /** Stores the group measures too when they are up (e.g. TimescaleDB beside PostgreSQL). */
  readonly wants?: readonly StoreKind[];
  /** `unavailable` says why a wanted store is missing, for the group's notes. */
  open(urls: StoreUrls, unavailable: Readonly<Partial<Record<StoreKind, string>>>): Promise<PathGroup>;
}

/** Reads a URL the group declared in `needs` (present by construction; checked for a clear error). */
export function needUrl(urls: StoreUrls, kind: StoreKind): string {
  const url = urls[kind];
  if (!url) throw new Error(`bench path group needs a ${kind} URL, none was given`);
  return url;
}

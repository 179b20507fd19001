// The mixed workload a fault cell drives: each operation declares the stores it cannot succeed
// without (`needs`) and the ones it touches but may lose (`uses`: the cache, which reads fall through).
// Acknowledged writes are recorded so integrity can be checked after the fault: every detector
// created is in PostgreSQL, every experiment written through the outbox is in search exactly once, and
// no read through the cache returns an older version of a detector than PostgreSQL holds.
import type { StoreKind } from '../provision/provisioner.ts';
import type { Rng } from '../workload/random.ts';
import type { SystemUnderTest } from '../../reference-dal/profiles/system-under-test.ts';
import { EXPERIMENTS_COLLECTION } from '../../reference-dal/consistency/experiment-writer.ts';
import { VersionConflictError } from '../../reference-dal/errors.ts';

/** Where the preloaded searchable documents live (the outbox writes to EXPERIMENTS_COLLECTION). */
export const SEARCH_COLLECTION = 'detections';
export const PRELOADED = { detectors: 50, documents: 200, artifacts: 4, metrics: 10, points: 120 } as const;
/** Preloaded detectors that `cached-update` changes (and `cached-read` reads): what can go stale. */
const HOT_DETECTORS = 10;
const STEP_MS = 10_000;
const SERIES_END_MS = Date.UTC(2024, 0, 15, 12, 0, 0);
const WORDS = ['cpu', 'latency', 'fraud', 'iot', 'disk', 'memory', 'network', 'queue', 'spike', 'drift'];

/** What the workload has been told was done; read after the run to check nothing acknowledged is lost. */
export class Acknowledged {
  readonly detectors = new Set<string>();
  readonly experiments = new Set<string>();
  #next = 0;
  nextId(prefix: string): string {
    return `${prefix}-${(this.#next++).toString(36)}`;
  }
}

export interface FaultOpContext {
  readonly sut: SystemUnderTest;
  readonly rng: Rng;
  readonly acked: Acknowledged;
}

export interface FaultOperation {
  readonly name: string;
  readonly weight: number;
  /** Stores without which it cannot succeed. */
  readonly needs: readonly StoreKind[];
  /** Every store it touches (needs ⊆ uses); e.g. a cached read uses Redis and needs only PostgreSQL. */
  readonly uses: readonly StoreKind[];
  run(ctx: FaultOpContext): Promise<void>;
}

const detectorId = (n: number) => `fc-detector-${n}`;
const artifactKey = (n: number) => `models/fc-model-${n}.bin`;
const metricName = (n: number) => `fc-metric-${n}`;
const pick = <T>(rng: Rng, items: readonly T[]): T => items[rng.int(items.length)]!;

/** Where the profile keeps time series: TimescaleDB, or PostgreSQL when it runs without it. */
export function timeSeriesStore(sut: SystemUnderTest): StoreKind {
  return sut.capabilities.backends.timeseries === 'timescaledb' ? 'timescaledb' : 'postgres';
}

/** The stores a built system uses, by storage type's backend. */
export function storesOf(sut: SystemUnderTest): Set<StoreKind> {
  const kinds = new Set<StoreKind>();
  for (const backend of Object.values(sut.capabilities.backends))
    if (
      backend === 'postgres' ||
      backend === 'timescaledb' ||
      backend === 'redis' ||
      backend === 'elasticsearch' ||
      backend === 's3'
    )
      kinds.add(backend);
  return kinds;
}

/** The operations of the polyglot workload that this system can run (all of them on `polyglot`). */
export function faultOperations(sut: SystemUnderTest): FaultOperation[] {
  const ts = timeSeriesStore(sut);
  const all: FaultOperation[] = [
    {
      name: 'meta-write',
      weight: 2,
      needs: ['postgres'],
      uses: ['postgres'],
      async run({ sut, acked }) {
        const id = acked.nextId('fc-written');
        await sut.dal.metadata.detectors.create(
          { name: id, algorithm: 'zscore', parameters: { threshold: 3 }, status: 'active' },
          { id },
        );
        acked.detectors.add(id);
      },
    },
    {
      name: 'meta-read',
      weight: 2,
      needs: ['postgres'],
      uses: ['postgres'],
      async run({ sut, rng }) {
        const id = detectorId(rng.int(PRELOADED.detectors));
        if (!(await sut.dal.metadata.detectors.get(id))) throw new Error(`${id} missing`);
      },
    },
    {
      name: 'cached-read',
      weight: 4,
      needs: ['postgres'],
      uses: ['redis', 'postgres'],
      async run({ sut, rng }) {
        const id = detectorId(rng.int(PRELOADED.detectors));
        const found = await sut.cached(sut.key('detector', id), () => sut.dal.metadata.detectors.get(id));
        if (!found) throw new Error(`${id} missing`);
      },
    },
    {
      // A write the cache must see: update a detector `cached-read` also reads, then invalidate it
      // (deferred while Redis is out). A concurrent writer's version conflict is a write not made.
      name: 'cached-update',
      weight: 1,
      needs: ['postgres'],
      uses: ['redis', 'postgres'],
      async run({ sut, rng }) {
        const id = detectorId(rng.int(HOT_DETECTORS));
        const current = await sut.dal.metadata.detectors.get(id);
        if (!current) throw new Error(`${id} missing`);
        try {
          await sut.dal.metadata.detectors.update(id, current.version, {
            ...current.data,
            parameters: { threshold: rng.int(1000) },
          });
        } catch (error) {
          if (error instanceof VersionConflictError) return;
          throw error;
        }
        await sut.invalidate([sut.key('detector', id)]);
      },
    },
    {
      name: 'outbox-write',
      weight: 1,
      needs: ['postgres'],
      uses: ['postgres'],
      async run({ sut, rng, acked }) {
        const created = await sut.experiments.create({
          name: `fault cell ${pick(rng, WORDS)}`,
          description: `${pick(rng, WORDS)} ${pick(rng, WORDS)}`,
          detectorId: null,
          status: 'completed',
          tags: [pick(rng, WORDS)],
          metrics: { score: rng.next() },
        });
        acked.experiments.add(created.id);
      },
    },
    {
      name: 'search',
      weight: 2,
      needs: ['elasticsearch'],
      uses: ['elasticsearch'],
      async run({ sut, rng }) {
        await sut.dal.documents.search(SEARCH_COLLECTION, { text: pick(rng, WORDS), size: 5 });
      },
    },
    {
      name: 'artifact-get',
      weight: 2,
      needs: ['s3'],
      uses: ['s3'],
      async run({ sut, rng }) {
        const key = artifactKey(rng.int(PRELOADED.artifacts));
        if (!(await sut.dal.objects.get(key))) throw new Error(`${key} missing`);
      },
    },
    {
      name: 'artifact-put',
      weight: 1,
      needs: ['s3'],
      uses: ['s3'],
      async run({ sut, rng }) {
        await sut.dal.objects.put(`scratch/fc-${rng.uint32().toString(36)}.bin`, rng.bytes(4096));
      },
    },
    {
      name: 'metrics-save',
      weight: 1,
      needs: [ts],
      uses: [ts],
      async run({ sut, rng }) {
        const at = SERIES_END_MS - rng.int(PRELOADED.points) * STEP_MS;
        await sut.dal.timeSeries.saveMetrics(
          Array.from({ length: 10 }, (_, i) => ({
            timestamp: new Date(at - i * 1000),
            metricName: metricName(rng.int(PRELOADED.metrics)),
            value: rng.next() * 100,
          })),
        );
      },
    },
    {
      name: 'metrics-query',
      weight: 2,
      needs: [ts],
      uses: [ts],
      async run({ sut, rng }) {
        await sut.dal.timeSeries.queryMetrics({
          metricName: metricName(rng.int(PRELOADED.metrics)),
          start: new Date(SERIES_END_MS - 15 * 60_000),
          end: new Date(SERIES_END_MS),
          aggregation: 'avg',
          interval: '1m',
        });
      },
    },
  ];
  const available = storesOf(sut);
  return all.filter((op) => op.uses.every((kind) => available.has(kind)));
}

/** The data the read operations expect: detectors, searchable documents, artifacts, metric series. */
export async function preloadFaultData(
  sut: SystemUnderTest,
  rng: Rng,
  ops: readonly FaultOperation[],
): Promise<void> {
  const uses = new Set(ops.flatMap((op) => op.uses));
  for (let d = 0; d < PRELOADED.detectors; d++)
    await sut.dal.metadata.detectors.create(
      { name: `fault cell ${d}`, algorithm: 'zscore', parameters: { threshold: 2 }, status: 'active' },
      { id: detectorId(d) },
    );
  if (uses.has('elasticsearch')) {
    const items = Array.from({ length: PRELOADED.documents }, (_, i) => ({
      id: `fc-doc-${i}`,
      document: {
        title: `${pick(rng, WORDS)} ${pick(rng, WORDS)}`,
        body: `${pick(rng, WORDS)} detector ${i}`,
      },
    }));
    const result = await sut.dal.documents.bulkIndex(SEARCH_COLLECTION, items);
    if (result.errors.length > 0) throw new Error(`preload: ${result.errors.length} documents rejected`);
    await sut.dal.documents.refresh(SEARCH_COLLECTION);
  }
  if (uses.has('s3'))
    for (let a = 0; a < PRELOADED.artifacts; a++)
      await sut.dal.objects.put(artifactKey(a), rng.bytes(16 * 1024));
  const series = ops.some((op) => op.name.startsWith('metrics-'));
  if (series) {
    const points = [];
    for (let m = 0; m < PRELOADED.metrics; m++)
      for (let p = 0; p < PRELOADED.points; p++)
        points.push({
          timestamp: new Date(SERIES_END_MS - p * STEP_MS),
          metricName: metricName(m),
          value: 100 + rng.next() * 5,
        });
    await sut.dal.timeSeries.saveMetrics(points);
  }
}

/** What integrity checks found after a fault, once the outbox drained (or its bound ran out). */
export interface Integrity {
  /** Acknowledged detectors missing from PostgreSQL. */
  readonly pgLost: number;
  /** Acknowledged experiments missing from PostgreSQL (the outbox's source). */
  readonly outboxAckedLost: number;
  /** Experiment rows in PostgreSQL whose document is not in search (lost by the relay). */
  readonly outboxLost: number;
  /** Documents in search with no PostgreSQL row, or beyond one per row (duplicated or ghosts). */
  readonly outboxExtra: number;
  /** Rows committed although the caller got an error (e.g. the after-commit cache invalidation failed). */
  readonly ambiguous: number;
  /** Events still in the outbox when the drain bound ran out. */
  readonly undrained: number;
  /** Detectors `cached-update` changes whose read through the cache, after recovery, is not PostgreSQL's version. */
  readonly staleReads: number;
}

/** After recovery, read each detector that can go stale through the cache and from PostgreSQL. */
async function countStaleReads(sut: SystemUnderTest): Promise<number> {
  let stale = 0;
  for (let n = 0; n < HOT_DETECTORS; n++) {
    const id = detectorId(n);
    const load = () => sut.dal.metadata.detectors.get(id);
    const [cached, source] = [await sut.cached(sut.key('detector', id), load), await load()];
    if (cached?.version !== source?.version) stale++;
  }
  return stale;
}

/**
 * Integrity after the fault: acknowledged writes are in PostgreSQL, and once the relay has drained,
 * search holds exactly one document per experiment row (the system of record decides, as in
 * outbox-es-kill.test.ts).
 */
export async function checkIntegrity(
  sut: SystemUnderTest,
  acked: Acknowledged,
  drainBoundMs = 60_000,
): Promise<Integrity> {
  let pgLost = 0;
  const ids = [...acked.detectors];
  for (let i = 0; i < ids.length; i += 50) {
    const found = await Promise.all(ids.slice(i, i + 50).map((id) => sut.dal.metadata.detectors.get(id)));
    pgLost += found.filter((f) => !f).length;
  }
  const rows = new Set<string>();
  for (let offset = 0; ; offset += 10_000) {
    const page = await sut.dal.metadata.experiments.list({ limit: 10_000, offset });
    for (const row of page) rows.add(row.id);
    if (page.length < 10_000) break;
  }
  const outboxAckedLost = [...acked.experiments].filter((id) => !rows.has(id)).length;
  const ambiguous = [...rows].filter((id) => !acked.experiments.has(id)).length;
  const staleReads = await countStaleReads(sut);
  const none = {
    pgLost,
    outboxAckedLost,
    outboxLost: 0,
    outboxExtra: 0,
    ambiguous,
    undrained: 0,
    staleReads,
  };
  if (!sut.dal.has('document') || rows.size === 0) return none;
  const deadline = Date.now() + drainBoundMs;
  let undrained = await sut.relay.depth();
  while (undrained > 0 && Date.now() < deadline) {
    await new Promise((resolve) => setTimeout(resolve, 100));
    undrained = await sut.relay.depth();
  }
  const documents = sut.dal.documents;
  await documents.refresh(EXPERIMENTS_COLLECTION);
  let present = 0;
  const experiments = [...rows];
  for (let i = 0; i < experiments.length; i += 50) {
    const found = await Promise.all(
      experiments.slice(i, i + 50).map((id) => documents.get(EXPERIMENTS_COLLECTION, id)),
    );
    present += found.filter(Boolean).length;
  }
  const inSearch = await documents.count(EXPERIMENTS_COLLECTION);
  return { ...none, outboxLost: rows.size - present, outboxExtra: inSearch - present, undrained };
}

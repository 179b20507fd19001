// ADR-024's consistency challenges, measured so that each figure can fail.
//
// Cache coherence (counter `staleReads`): writers update experiments through the ExperimentWriter
// (row + outbox event in one transaction, cached copy invalidated after commit) and, once the
// write has returned, publish its version on a shared board. A SECOND CLIENT — a worker thread
// with its own PostgreSQL pool and Redis connection — reads the same experiments through its own
// cache manager concurrently, and every read is judged against the newest version acknowledged
// before the read began: older is stale. This process's own cached reads (op `read`) are judged
// the same way. `coherenceReads` counts the reads judged and `secondClientReads` those of the
// second client. Zero reads is no evidence: a second client that is not reading when the measure
// phase starts errors the scenario, and one that read nothing during it leaves staleReads
// unreported (its snapshot fails, saying why); a worker that dies makes every operation fail.
//
// Search visibility (distribution `consistencyLag`, µs): `write-and-probe` writes a unique token
// into a probe experiment of its own and polls search until the token shows; the wait from the
// acknowledged write to visibility is the lag. A probe that sees nothing within PROBE_LIMIT_MS
// enters the distribution censored at the limit and counts `visibilityTimeouts` (always reported).
//
// Lost writes (counter `lostWrites`): after the measure phase the outbox is drained and every
// experiment's indexed version is compared with its row (`outboxDeadLetters`, `outboxDepth` beside).
import { defineScenario, type Recorder, type Scenario } from '../harness/workload/scenario.ts';
import { VersionConflictError } from '../reference-dal/errors.ts';
import { EXPERIMENTS_COLLECTION } from '../reference-dal/consistency/experiment-writer.ts';
import type { Entity, Experiment } from '../reference-dal/ports/transactional.ts';
import type { SystemUnderTest } from '../reference-dal/profiles/system-under-test.ts';
import type { Rng } from '../harness/workload/random.ts';
import { CoherenceRun } from './support/coherence-run.ts';
import { SlotPool } from './support/slot-pool.ts';
import { experiment, sentence } from './support/data.ts';
import { errorRate } from './support/derive.ts';
import { pick, type ScenarioBuildOptions } from './support/sizes.ts';

// Below the runner's 5 s drain timeout, so a probe never outlives the measure phase by more.
export const PROBE_LIMIT_MS = 4_000;
const PROBE_INTERVAL_MS = 10;
const DRAIN_TIMEOUT_MS = 15_000;
const LIST_PAGE = 1_000;
/** Probe experiments, written by nothing but probes, one probe at a time: never superseded. */
const PROBE_SLOTS = 64;
const SECOND_CLIENT_READERS = 4;
const LOAD_IN_FLIGHT = 8;

export interface CrossStoreConsistencyOptions extends ScenarioBuildOptions {
  /**
   * How much longer each of the second client's loads takes than its query (default 20 ms): a
   * reader farther from PostgreSQL. Stale fills come from loads that outlive a write, so a short
   * run sees them only when loads are not much faster than writes.
   */
  readonly secondClientLoadDelayMs?: number;
}

const ATTACHMENT = 'cross-store-consistency';

export const experimentId = (key: number) => `consistency-${key}`;
const probeId = (slot: number) => `consistency-probe-${slot}`;

function readCached(sut: SystemUnderTest, id: string): Promise<Entity<Experiment> | undefined> {
  return sut.cached(sut.key('experiment', id), () => sut.dal.metadata.experiments.get(id));
}

/** The coherence run attached to `sut`, started on first use (normally by the load phase). */
function coherenceOf(
  sut: SystemUnderTest,
  records: number,
  loadDelayMs: number,
  seed = 0,
): Promise<CoherenceRun> {
  return sut.attach(ATTACHMENT, () =>
    CoherenceRun.open(sut, {
      keys: records,
      idPrefix: experimentId(0).slice(0, -1),
      namespace: 'experiment',
      readers: SECOND_CLIENT_READERS,
      seed,
      loadDelayMs,
    }),
  );
}

/** Update `id` with a fresh unique token in its description; undefined when another writer won. */
async function write(
  sut: SystemUnderTest,
  id: string,
  rng: Rng,
  recorder: Recorder,
): Promise<{ entity: Entity<Experiment>; token: string } | undefined> {
  const current = await sut.dal.metadata.experiments.get(id);
  if (!current) throw new Error(`${id} missing`);
  const token = `probe${rng.uint32().toString(16)}x${rng.uint32().toString(16)}`;
  try {
    const entity = await sut.experiments.update(id, current.version, {
      ...current.data,
      description: `${sentence(rng, 6)} ${token}`,
    });
    return { entity, token };
  } catch (error) {
    // Another worker updated it first: optimistic concurrency working, nothing written.
    if (!(error instanceof VersionConflictError)) throw error;
    recorder.count('versionConflicts');
    return undefined;
  }
}

/** Write a unique token into `id` and wait until search shows it: consistencyLag (or a censored timeout). */
async function probe(
  sut: SystemUnderTest,
  id: string,
  rng: Rng,
  recorder: Recorder,
  signal: AbortSignal,
): Promise<void> {
  const written = await write(sut, id, rng, recorder);
  if (!written) return;
  const committed = performance.now();
  recorder.count('visibilityTimeouts', 0);
  for (;;) {
    const found = await sut.dal.documents.search(EXPERIMENTS_COLLECTION, { text: written.token, size: 1 });
    if (found.hits.some((h) => h.id === id)) {
      recorder.observe('consistencyLag', (performance.now() - committed) * 1000);
      return;
    }
    // Only another process probing the same experiment (sharded runs) can write it meanwhile.
    const indexed = await sut.dal.documents.get(EXPERIMENTS_COLLECTION, id);
    if ((indexed?.version ?? 0) > written.entity.version) {
      recorder.count('supersededProbes');
      return;
    }
    if (performance.now() - committed > PROBE_LIMIT_MS || signal.aborted) {
      // Never seen: it counts at the limit (censored), so it can only raise a percentile.
      recorder.censor('consistencyLag', PROBE_LIMIT_MS * 1000);
      recorder.count('visibilityTimeouts');
      return;
    }
    await new Promise((resolve) => setTimeout(resolve, PROBE_INTERVAL_MS));
  }
}

async function lostWrites(sut: SystemUnderTest): Promise<Record<string, number>> {
  const depth = await sut.relay.drain(DRAIN_TIMEOUT_MS);
  let lost = 0;
  for (let offset = 0; ; offset += LIST_PAGE) {
    const rows = await sut.dal.metadata.experiments.list({ limit: LIST_PAGE, offset });
    for (const row of rows) {
      const indexed = await sut.dal.documents.get(EXPERIMENTS_COLLECTION, row.id);
      if (!indexed || (indexed.version ?? 0) < row.version) lost++;
    }
    if (rows.length < LIST_PAGE) break;
  }
  return { lostWrites: lost, outboxDepth: depth };
}

export function crossStoreConsistency(options: CrossStoreConsistencyOptions = {}): Scenario<SystemUnderTest> {
  const records = pick(options, { quick: 50, full: 1_000 });
  const delay = options.secondClientLoadDelayMs ?? 20;
  const coherence = (sut: SystemUnderTest, seed?: number) => coherenceOf(sut, records, delay, seed);
  return defineScenario<SystemUnderTest>({
    name: 'cross-store-consistency',
    description: `writes through the outbox to search (visibility lag), a second client reading through the cache (staleness), lost writes after drain; ${records} experiments`,
    stores: ['postgres'],
    data: { records },
    operations: [
      {
        name: 'write',
        weight: 30,
        keys: { type: 'zipfian' },
        async run({ sut, key, rng, recorder }) {
          const run = await coherence(sut);
          run.assertReading();
          const written = await write(sut, experimentId(key), rng, recorder);
          // After the write returned (committed and, on a coherent profile, invalidated).
          if (written) run.board.publish(key, written.entity.version);
        },
      },
      {
        name: 'write-and-probe',
        weight: 2,
        async run({ sut, rng, recorder, signal }) {
          (await coherence(sut)).assertReading();
          const slots = await sut.attach(`${ATTACHMENT}:probe-slots`, () =>
            Promise.resolve(new SlotPool(PROBE_SLOTS)),
          );
          const slot = slots.take();
          if (slot === undefined) {
            // More probes in flight than probe experiments: skip this one, and say so.
            recorder.count('probesSkipped');
            return;
          }
          try {
            await probe(sut, probeId(slot), rng, recorder, signal);
          } finally {
            slots.release(slot);
          }
        },
      },
      {
        name: 'read',
        weight: 20,
        keys: { type: 'zipfian' },
        async run({ sut, key }) {
          const run = await coherence(sut);
          run.assertReading();
          const required = run.board.required(key);
          const found = await readCached(sut, experimentId(key));
          if (!found) throw new Error(`${experimentId(key)} missing`);
          run.judgeLocal(required, found.version);
        },
      },
    ],
    async load(ctx) {
      const { sut, rng, records: n } = ctx;
      sut.relay.start();
      const ids = [
        ...Array.from({ length: n }, (_, i) => experimentId(i)),
        ...Array.from({ length: PROBE_SLOTS }, (_, slot) => probeId(slot)),
      ];
      for (let at = 0; at < ids.length; at += LOAD_IN_FLIGHT) {
        // Data drawn in order before the batch runs: the same seed loads the same experiments.
        const batch = ids
          .slice(at, at + LOAD_IN_FLIGHT)
          .map((id, i) => ({ id, data: experiment(rng, at + i) }));
        await Promise.all(batch.map(({ id, data }) => sut.experiments.create(data, { id })));
      }
      const depth = await sut.relay.drain(DRAIN_TIMEOUT_MS);
      if (depth > 0) throw new Error(`outbox still holds ${depth} events after loading`);
      const seed = rng.uint32();
      ctx.log(`cross-store-consistency: second client reads with seed ${seed}`);
      await coherence(sut, seed);
    },
    async snapshot(sut) {
      const run = await coherence(sut);
      const { phase, counters } = run.snapshot();
      const deadLetters = await sut.relay.deadLetterCount();
      // Lost writes are judged once, after the measure phase, over everything ever written: the
      // "before" reading is zero (draining there would stall writers and count in-flight events).
      if (phase === 'before')
        return { ...counters, lostWrites: 0, outboxDepth: 0, outboxDeadLetters: deadLetters };
      return { ...counters, ...(await lostWrites(sut)), outboxDeadLetters: deadLetters };
    },
    derive: errorRate,
  });
}

export default crossStoreConsistency();

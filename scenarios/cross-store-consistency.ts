// ADR-024's consistency challenges, measured. `write-and-probe`: update an experiment through the
// ExperimentWriter (row + outbox event in one transaction, cache invalidated after commit), read it
// straight back through the cache (an older version there → counter `staleReads`), then poll search
// until the new text is visible: the wait from the committed write's return to visibility goes into
// the distribution `consistencyLag` (µs; `visibilityTimeouts` when it exceeds the probe limit).
// `read`: cached reads that keep the cache warm, so staleness has something to hit. After the
// measure phase the outbox is drained and every experiment's indexed version is compared with its
// row: counter `lostWrites` (counters `outboxDeadLetters`, `outboxDepth` beside it).
import { defineScenario, type Scenario } from '../harness/workload/scenario.ts';
import { VersionConflictError } from '../reference-dal/errors.ts';
import { EXPERIMENTS_COLLECTION } from '../reference-dal/consistency/experiment-writer.ts';
import type { Entity, Experiment } from '../reference-dal/ports/transactional.ts';
import type { SystemUnderTest } from '../reference-dal/profiles/system-under-test.ts';
import { experiment, sentence } from './support/data.ts';
import { errorRate } from './support/derive.ts';
import { pick, type ScenarioBuildOptions } from './support/sizes.ts';

// Below the runner's 5 s drain timeout, so a probe never outlives the measure phase by more.
const PROBE_LIMIT_MS = 4_000;
const PROBE_INTERVAL_MS = 5;
const DRAIN_TIMEOUT_MS = 15_000;
const LIST_PAGE = 1_000;

const experimentId = (key: number) => `consistency-${key}`;

function readCached(sut: SystemUnderTest, id: string): Promise<Entity<Experiment> | undefined> {
  return sut.cached(sut.key('experiment', id), () => sut.dal.metadata.experiments.get(id));
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
  return { lostWrites: lost, outboxDepth: depth, outboxDeadLetters: await sut.relay.deadLetterCount() };
}

export function crossStoreConsistency(options: ScenarioBuildOptions = {}): Scenario<SystemUnderTest> {
  const records = pick(options, { quick: 50, full: 1_000 });
  return defineScenario<SystemUnderTest>({
    name: 'cross-store-consistency',
    description: `writes through the outbox to search (visibility lag), reads through the cache (staleness), lost writes after drain; ${records} experiments`,
    stores: ['postgres'],
    data: { records },
    operations: [
      {
        name: 'write-and-probe',
        weight: 1,
        async run({ sut, key, rng, recorder, signal }) {
          const id = experimentId(key);
          const current = await sut.dal.metadata.experiments.get(id);
          if (!current) throw new Error(`${id} missing`);
          const token = `probe${rng.uint32().toString(16)}x${rng.uint32().toString(16)}`;
          let updated: Entity<Experiment>;
          try {
            updated = await sut.experiments.update(id, current.version, {
              ...current.data,
              description: `${sentence(rng, 6)} ${token}`,
            });
          } catch (error) {
            // Another worker updated it first: optimistic concurrency working, nothing written.
            if (!(error instanceof VersionConflictError)) throw error;
            recorder.count('versionConflicts');
            return;
          }
          const committed = performance.now();
          const seen = await readCached(sut, id);
          recorder.count('staleReads', !seen || seen.version < updated.version ? 1 : 0);
          recorder.count('visibilityTimeouts', 0);
          for (;;) {
            const found = await sut.dal.documents.search(EXPERIMENTS_COLLECTION, { text: token, size: 1 });
            if (found.hits.some((h) => h.id === id)) {
              recorder.observe('consistencyLag', (performance.now() - committed) * 1000);
              return;
            }
            // A newer write of the same experiment superseded this one: its text will never show.
            const indexed = await sut.dal.documents.get(EXPERIMENTS_COLLECTION, id);
            if ((indexed?.version ?? 0) > updated.version) {
              recorder.count('supersededProbes');
              return;
            }
            if (performance.now() - committed > PROBE_LIMIT_MS || signal.aborted) {
              recorder.count('visibilityTimeouts');
              return;
            }
            await new Promise((resolve) => setTimeout(resolve, PROBE_INTERVAL_MS));
          }
        },
      },
      {
        name: 'read',
        weight: 4,
        keys: { type: 'zipfian' },
        async run({ sut, key }) {
          if (!(await readCached(sut, experimentId(key)))) throw new Error(`${experimentId(key)} missing`);
        },
      },
    ],
    async load({ sut, rng, records: n }) {
      sut.relay.start();
      for (let i = 0; i < n; i++) await sut.experiments.create(experiment(rng, i), { id: experimentId(i) });
      const depth = await sut.relay.drain(DRAIN_TIMEOUT_MS);
      if (depth > 0) throw new Error(`outbox still holds ${depth} events after loading`);
    },
    snapshot: lostWrites,
    derive: errorRate,
  });
}

export default crossStoreConsistency();

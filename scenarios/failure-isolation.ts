// ADR-024 "failure in one storage system doesn't affect the others". The run routes the profile's
// Elasticsearch through a fault proxy; the load phase stores detectors, metric windows, model
// artifacts and searchable documents, then cuts Elasticsearch for the whole measure phase. During the
// outage: `detect` (cached detector + metrics window + model artifact + result written through the
// outbox, none of which needs Elasticsearch), `dashboard` (cached detector read) and `search` (needs
// Elasticsearch: expected to fail fast; its errors are counted, not hidden).
// isolationSuccessRate = successes / (successes + errors) of the operations that do not need the failed store.
import { defineScenario, type DeriveInput, type Scenario } from '../harness/workload/scenario.ts';
import type { Capabilities, SystemUnderTest } from '../reference-dal/profiles/system-under-test.ts';
import { SERIES_END_MS, chunks, experiment, searchText, seriesPoints } from './support/data.ts';
import { errorRate } from './support/derive.ts';
import { pick, type ScenarioBuildOptions } from './support/sizes.ts';

export const FAILED_STORE = 'elasticsearch';
const COLLECTION = 'experiments';
const STEP_MS = 10_000;
const WINDOW_MS = 15 * 60_000;
const MODELS = 4;
const KIB = 1024;
/**
 * The request budget a caller gives a search while its store is down. The Elasticsearch client retries
 * a refused connection with backoff (≈8 s to give up at 3 retries), which would hold a closed-loop
 * worker and starve the isolated operations; the caller abandons the request instead, as an
 * application with a deadline would, and the abandoned request is counted.
 */
export const SEARCH_DEADLINE_MS = 250;

/** Operations that need the failed store; every other operation counts toward isolationSuccessRate. */
const NEEDS_FAILED_STORE = new Set(['search']);

const detectorKey = (key: number) => `fi-detector-${key}`;
const modelKey = (key: number) => `models/fi-model-${key % MODELS}.bin`;

export class FaultSwitchMissingError extends Error {
  override name = 'FaultSwitchMissingError';
}

export class DeadlineExceededError extends Error {
  override name = 'DeadlineExceededError';
}

/** `work` or a DeadlineExceededError after `ms`; a late outcome is counted (`onAbandoned`), never lost. */
async function withDeadline<T>(
  work: Promise<T>,
  ms: number,
  what: string,
  onAbandoned: () => void,
): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const deadline = new Promise<never>((_, reject) => {
    timer = setTimeout(() => {
      onAbandoned();
      reject(new DeadlineExceededError(`${what}: no answer within ${ms} ms`));
    }, ms);
  });
  // The abandoned request still settles later (its client retries); keep its rejection handled.
  work.catch(() => undefined);
  try {
    return await Promise.race([work, deadline]);
  } finally {
    clearTimeout(timer);
  }
}

/** Why the scenario cannot run on a profile (undefined: it can). */
export function failureIsolationApplies(capabilities: Capabilities): string | undefined {
  const documents = capabilities.backends.document;
  return documents === 'elasticsearch'
    ? undefined
    : `documents are on ${documents ?? 'no store'} here, not Elasticsearch: there is no separate store to fail`;
}

export function isolationMetrics(input: DeriveInput): Record<string, number> {
  let ok = 0;
  let errors = 0;
  let failedStoreErrors = 0;
  let failedStoreSuccesses = 0;
  for (const op of input.operations) {
    if (NEEDS_FAILED_STORE.has(op.name)) {
      failedStoreErrors += op.errors;
      failedStoreSuccesses += op.count;
    } else {
      ok += op.count;
      errors += op.errors;
    }
  }
  return {
    ...errorRate(input),
    ...(ok + errors > 0 ? { isolationSuccessRate: ok / (ok + errors) } : {}),
    isolatedOps: ok + errors,
    failedStoreErrors,
    // Above 0 means the outage did not hold (a fault that was not injected must not pass as isolation).
    failedStoreSuccesses,
  };
}

export function failureIsolation(options: ScenarioBuildOptions = {}): Scenario<SystemUnderTest> {
  const { detectors, points, modelBytes, documents } = pick(options, {
    quick: { detectors: 50, points: 120, modelBytes: 16 * KIB, documents: 200 },
    full: { detectors: 500, points: 720, modelBytes: 256 * KIB, documents: 5_000 },
  });
  return defineScenario<SystemUnderTest>({
    name: 'failure-isolation',
    description: `Elasticsearch cut for the measure phase; detect (cache + metrics window + ${modelBytes / KIB} KiB artifact + outbox write) and dashboard reads must go on, search fails fast`,
    stores: ['postgres', 'elasticsearch'],
    data: { records: detectors },
    operations: [
      {
        name: 'detect',
        weight: 3,
        keys: { type: 'zipfian' },
        async run({ sut, key, rng }) {
          const id = detectorKey(key);
          const detector = await sut.cached(sut.key('detector', id), () =>
            sut.dal.metadata.detectors.get(id),
          );
          if (!detector) throw new Error(`${id} missing`);
          const buckets = await sut.dal.timeSeries.queryMetrics({
            metricName: `fi-${key}`,
            start: new Date(SERIES_END_MS - WINDOW_MS),
            end: new Date(SERIES_END_MS),
            aggregation: 'avg',
            interval: '1m',
          });
          const artifact = await sut.dal.objects.get(modelKey(key));
          if (!artifact) throw new Error(`${modelKey(key)} missing`);
          const values = buckets.map((b) => b.value);
          const mean = values.reduce((a, b) => a + b, 0) / Math.max(1, values.length);
          const score = Math.abs((values.at(-1) ?? mean) - mean);
          // The result goes through the outbox (row + event in one PostgreSQL transaction): the search
          // copy follows when Elasticsearch is back, so the write itself must not need it.
          await sut.experiments.create({
            ...experiment(rng, key),
            detectorId: null,
            status: score > 3 ? 'failed' : 'completed',
            metrics: { score },
          });
        },
      },
      {
        name: 'dashboard',
        weight: 6,
        keys: { type: 'zipfian' },
        async run({ sut, key }) {
          const id = detectorKey(key);
          const found = await sut.cached(sut.key('detector', id), () => sut.dal.metadata.detectors.get(id));
          if (!found) throw new Error(`${id} missing`);
        },
      },
      {
        name: 'search',
        weight: 1,
        async run({ sut, rng, recorder }) {
          await withDeadline(
            sut.dal.documents.search(COLLECTION, { text: searchText(rng), size: 10 }),
            SEARCH_DEADLINE_MS,
            `search ${COLLECTION}`,
            () => recorder.count('searchesAbandoned'),
          );
        },
      },
    ],
    async load({ sut, rng, records }) {
      const fault = sut.faults.elasticsearch;
      if (!fault) {
        throw new FaultSwitchMissingError(
          `failure-isolation needs an Elasticsearch fault switch (SystemUnderTestOptions.faults.elasticsearch); the run did not route Elasticsearch through a fault proxy`,
        );
      }
      const series = [];
      for (let d = 0; d < records; d++) {
        await sut.dal.metadata.detectors.create(
          { name: `isolation ${d}`, algorithm: 'zscore', parameters: { threshold: 2 }, status: 'active' },
          { id: detectorKey(d) },
        );
        series.push(...seriesPoints(rng, `fi-${d}`, points, STEP_MS));
      }
      for (const batch of chunks(series, 5_000)) await sut.dal.timeSeries.saveMetrics(batch);
      for (let m = 0; m < MODELS; m++) await sut.dal.objects.put(modelKey(m), rng.bytes(modelBytes));
      const items = Array.from({ length: documents }, (_, i) => ({
        id: `fi-exp-${i}`,
        document: { ...experiment(rng, i) },
      }));
      for (const batch of chunks(items, 1_000)) {
        const result = await sut.dal.documents.bulkIndex(COLLECTION, batch);
        if (result.errors.length > 0) throw new Error(`bulk load rejected ${result.errors.length} documents`);
      }
      await sut.dal.documents.refresh(COLLECTION);
      // The relay runs as in production: during the outage it retries with backoff, the outbox keeps the events.
      sut.relay.start();
      fault.cut();
    },
    snapshot(sut) {
      const stats = sut.relay.stats();
      return Promise.resolve({
        outboxPublished: stats.published,
        outboxStoreOutages: stats.storeOutages,
        outboxRetries: stats.retries,
      });
    },
    derive: isolationMetrics,
  });
}

export default failureIsolation();

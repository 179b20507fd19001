// ADR-024 "failure in one storage system doesn't affect the others". The run routes the profile's
// Elasticsearch through a fault proxy; the load phase stores detectors, metric windows, model
// artifacts and searchable documents, then cuts Elasticsearch for the whole measure phase. During the
// outage:
// - `detect` (cached detector + metrics window + model artifact + result written through the outbox)
//   and `dashboard` (cached detector read) never touch Elasticsearch;
// - `overview` is the ADR's data flow on a cache miss: the detector through the cache, then the metrics
//   window, a document search and the model artifact in parallel. It does not *need* the failed store:
//   it answers without the search part (counted in `degradedResponses`), and must do so within the
//   request deadline. The caller sets no deadline on the part: failing fast is the DAL's job (circuit
//   breaker, timeouts), and a DAL that waits out the dead store fails the request;
// - `search` needs Elasticsearch: it is expected to fail (its errors are counted, not hidden).
// isolationSuccessRate = successes / (successes + errors) of the operations that do not need the failed
// store; errorRate covers those operations only (the failing searches are the point of the scenario).
// failedStoreErrors / failedStoreSuccesses say whether the outage held: a search, or an overview's
// search part, that succeeded means the fault was never injected, and the gates on them fail.
import { defineScenario, type DeriveInput, type Scenario } from '../harness/workload/scenario.ts';
import { StoreError } from '../reference-dal/errors.ts';
import type { Capabilities, SystemUnderTest } from '../reference-dal/profiles/system-under-test.ts';
import { loadMetricPoints } from '../reference-dal/ports/time-series.ts';
import { SERIES_END_MS, experiment, searchText, seriesPoints } from './support/data.ts';
import { loadDocuments } from '../reference-dal/ports/documents.ts';
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

/**
 * The request budget of `overview`: ADR-024's sub-second response. A degraded answer (without search)
 * within it is a success; no answer within it is an error.
 */
export const REQUEST_DEADLINE_MS = 1_000;

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
  // Overview search parts that answered: the failed store served a request.
  let failedStoreSuccesses = input.counters['overviewSearchesAnswered'] ?? 0;
  for (const op of input.operations) {
    if (NEEDS_FAILED_STORE.has(op.name)) {
      failedStoreErrors += op.errors;
      failedStoreSuccesses += op.count;
    } else {
      ok += op.count;
      errors += op.errors;
    }
  }
  const isolated = ok + errors;
  return {
    // Over the isolated operations only: the searches are meant to fail during the outage.
    ...(isolated > 0 ? { isolationSuccessRate: ok / isolated, errorRate: errors / isolated } : {}),
    isolatedOps: isolated,
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
    description: `Elasticsearch cut for the measure phase; detect (cache + metrics window + ${modelBytes / KIB} KiB artifact + outbox write), dashboard reads and the ADR's fan-out (answered without search within ${REQUEST_DEADLINE_MS} ms) must go on, search fails fast`,
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
        name: 'overview',
        weight: 1,
        keys: { type: 'zipfian' },
        async run({ sut, key, rng, recorder }) {
          const id = detectorKey(key);
          const answer = async () => {
            const detector = await sut.cached(sut.key('detector', id), () =>
              sut.dal.metadata.detectors.get(id),
            );
            if (!detector) throw new Error(`${id} missing`);
            const [, hits, artifact] = await Promise.all([
              sut.dal.timeSeries.queryMetrics({
                metricName: `fi-${key}`,
                start: new Date(SERIES_END_MS - WINDOW_MS),
                end: new Date(SERIES_END_MS),
                aggregation: 'avg',
                interval: '1m',
              }),
              // The search part is optional: a store failure leaves it out of the answer.
              sut.dal.documents.search(COLLECTION, { text: searchText(rng), size: 5 }).then(
                (result) => {
                  recorder.count('overviewSearchesAnswered');
                  return result;
                },
                (error: unknown) => {
                  if (!(error instanceof StoreError)) throw error;
                  recorder.count('degradedResponses');
                  return undefined;
                },
              ),
              sut.dal.objects.get(modelKey(key)),
            ]);
            if (!artifact) throw new Error(`${modelKey(key)} missing`);
            return hits;
          };
          await withDeadline(answer(), REQUEST_DEADLINE_MS, `overview ${id}`, () =>
            recorder.count('overviewsAbandoned'),
          );
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
      await loadMetricPoints(sut.dal.timeSeries, series);
      for (let m = 0; m < MODELS; m++) await sut.dal.objects.put(modelKey(m), rng.bytes(modelBytes));
      const items = Array.from({ length: documents }, (_, i) => ({
        id: `fi-exp-${i}`,
        document: { ...experiment(rng, i) },
      }));
      await loadDocuments(sut.dal.documents, COLLECTION, items);
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

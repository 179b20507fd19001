// ADR-024's cross-store request, in the two shapes that matter: its data flow (the sequence diagram)
// fans out to the time-series store, the search engine and the object store IN PARALLEL on a cache
// miss (op `fanout`), while its own performance test awaits the three one after another (op
// `sequence`, which the `p99 < 1 s` budget reads). Each part is also measured alone in the same run
// (ops `timeseries`, `search`, `object`). Derived:
// - crossStoreOverheadP50Ms = p50(fanout) − p50(slowest part alone): the coordination overhead, what
//   the ADR calls "5–10 ms additional latency for cross-storage operations";
// - sequentialCostP50Ms = p50(sequence) − p50(slowest part alone): what awaiting the parts in turn
//   costs (about the sum of the two faster parts);
// - slowestPartP50Ms.
import {
  defineScenario,
  type DeriveInput,
  type OperationContext,
  type Scenario,
} from '../harness/workload/scenario.ts';
import type { SystemUnderTest } from '../reference-dal/profiles/system-under-test.ts';
import { loadMetricPoints } from '../reference-dal/ports/time-series.ts';
import { SERIES_END_MS, experiment, searchText, seriesPoints } from './support/data.ts';
import { loadDocuments } from '../reference-dal/ports/documents.ts';
import { errorRate } from './support/derive.ts';
import { pick, type ScenarioBuildOptions } from './support/sizes.ts';

const STEP_MS = 10_000;
const COLLECTION = 'experiments';
const KIB = 1024;
const PARTS = ['timeseries', 'search', 'object'] as const;

type Ctx = OperationContext<SystemUnderTest>;

export function polyglotOverall(options: ScenarioBuildOptions = {}): Scenario<SystemUnderTest> {
  const { series, points, documents, objects, objectBytes } = pick(options, {
    quick: { series: 4, points: 2_000, documents: 500, objects: 10, objectBytes: 16 * KIB },
    full: { series: 20, points: 20_000, documents: 10_000, objects: 50, objectBytes: 256 * KIB },
  });
  const timeseries = ({ sut, key }: Ctx) =>
    sut.dal.timeSeries.queryMetrics({
      metricName: `po-${key % series}`,
      start: new Date(SERIES_END_MS - 3_600_000),
      end: new Date(SERIES_END_MS),
      aggregation: 'avg',
      interval: '1m',
    });
  const search = ({ sut, rng }: Ctx) =>
    sut.dal.documents.search(COLLECTION, { text: searchText(rng), highlight: true, size: 10 });
  const object = async ({ sut, key }: Ctx) => {
    const found = await sut.dal.objects.get(`po/object-${key % objects}.bin`);
    if (!found) throw new Error(`po/object-${key % objects}.bin missing`);
  };
  return defineScenario<SystemUnderTest>({
    name: 'polyglot-overall',
    description:
      "time-series query + document search + object fetch in one request, fanned out in parallel (the ADR's data flow) and in sequence (its test), and each part alone",
    stores: ['postgres'],
    data: { records: Math.max(series, objects) },
    operations: [
      {
        name: 'fanout',
        weight: 3,
        async run(ctx) {
          await Promise.all([timeseries(ctx), search(ctx), object(ctx)]);
        },
      },
      {
        name: 'sequence',
        weight: 2,
        async run(ctx) {
          await timeseries(ctx);
          await search(ctx);
          await object(ctx);
        },
      },
      // Each part alone as often as the fan-out, give or take: the overhead is a difference of p50s.
      { name: 'timeseries', weight: 2, run: timeseries },
      { name: 'search', weight: 2, run: search },
      { name: 'object', weight: 2, run: object },
    ],
    async load({ sut, rng }) {
      function* all() {
        for (let s = 0; s < series; s++) yield* seriesPoints(rng, `po-${s}`, points, STEP_MS);
      }
      await loadMetricPoints(sut.dal.timeSeries, all());
      const items = Array.from({ length: documents }, (_, i) => ({
        id: `po-${i}`,
        document: { ...experiment(rng, i) },
      }));
      await loadDocuments(sut.dal.documents, COLLECTION, items);
      for (let o = 0; o < objects; o++)
        await sut.dal.objects.put(`po/object-${o}.bin`, rng.bytes(objectBytes));
    },
    derive: crossStoreMetrics,
  });
}

/** The overhead figures over the measured operations (none when a shape or a part never succeeded). */
export function crossStoreMetrics(input: DeriveInput): Record<string, number> {
  const byName = new Map(input.operations.map((o) => [o.name, o]));
  const parts = PARTS.map((p) => byName.get(p));
  const out: Record<string, number> = { ...errorRate(input) };
  if (!parts.every((p) => p && p.count > 0)) return out;
  const slowest = Math.max(...parts.map((p) => p!.p50Us));
  out.slowestPartP50Ms = slowest / 1000;
  const fanout = byName.get('fanout');
  if (fanout && fanout.count > 0) out.crossStoreOverheadP50Ms = (fanout.p50Us - slowest) / 1000;
  const sequence = byName.get('sequence');
  if (sequence && sequence.count > 0) out.sequentialCostP50Ms = (sequence.p50Us - slowest) / 1000;
  return out;
}

export default polyglotOverall();

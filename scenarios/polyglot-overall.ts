// ADR-024's own performance test: a time-series query, a document search and an object fetch in one
// request (op `sequence`), with each part also measured alone in the same run (ops `timeseries`,
// `search`, `object`), so crossStoreOverheadP50Ms = p50(sequence) − p50(slowest part).
import { defineScenario, type OperationContext, type Scenario } from '../harness/workload/scenario.ts';
import type { SystemUnderTest } from '../reference-dal/profiles/system-under-test.ts';
import { SERIES_END_MS, chunks, experiment, searchText, seriesPoints } from './support/data.ts';
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
    description: 'time-series query + document search + object fetch in one request, and each part alone',
    stores: ['postgres'],
    data: { records: Math.max(series, objects) },
    operations: [
      {
        name: 'sequence',
        weight: 3,
        async run(ctx) {
          await timeseries(ctx);
          await search(ctx);
          await object(ctx);
        },
      },
      { name: 'timeseries', weight: 1, run: timeseries },
      { name: 'search', weight: 1, run: search },
      { name: 'object', weight: 1, run: object },
    ],
    async load({ sut, rng }) {
      for (let s = 0; s < series; s++)
        for (const batch of chunks(seriesPoints(rng, `po-${s}`, points, STEP_MS), 5_000))
          await sut.dal.timeSeries.saveMetrics(batch);
      const items = Array.from({ length: documents }, (_, i) => ({
        id: `po-${i}`,
        document: { ...experiment(rng, i) },
      }));
      for (const batch of chunks(items, 1_000)) await sut.dal.documents.bulkIndex(COLLECTION, batch);
      await sut.dal.documents.refresh(COLLECTION);
      for (let o = 0; o < objects; o++)
        await sut.dal.objects.put(`po/object-${o}.bin`, rng.bytes(objectBytes));
    },
    derive(input) {
      const byName = new Map(input.operations.map((o) => [o.name, o]));
      const sequence = byName.get('sequence');
      const parts = PARTS.map((p) => byName.get(p));
      const out: Record<string, number> = { ...errorRate(input) };
      if (sequence && sequence.count > 0 && parts.every((p) => p && p.count > 0)) {
        const slowest = Math.max(...parts.map((p) => p!.p50Us));
        out.crossStoreOverheadP50Ms = (sequence.p50Us - slowest) / 1000;
        out.slowestPartP50Ms = slowest / 1000;
      }
      return out;
    },
  });
}

export default polyglotOverall();

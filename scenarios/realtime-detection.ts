// ADR-024 "sub-second response for real-time anomaly detection". One request: the detector's config
// through the cache, then the recent metrics window aggregated and the model artifact fetched in
// parallel (the ADR's data flow fans out to the time-series and object stores on a cache miss), then
// the result written (time-series score) and indexed (search document) (op `request`).
import { defineScenario, type OperationContext, type Scenario } from '../harness/workload/scenario.ts';
import type { SystemUnderTest } from '../reference-dal/profiles/system-under-test.ts';
import { loadMetricPoints } from '../reference-dal/ports/time-series.ts';
import { SERIES_END_MS, seriesPoints, word } from './support/data.ts';
import { errorRate } from './support/derive.ts';
import { pick, type ScenarioBuildOptions } from './support/sizes.ts';

const STEP_MS = 10_000;
const WINDOW_MS = 15 * 60_000;
const MODELS = 8;
const KIB = 1024;

const detectorKey = (key: number) => `rt-detector-${key}`;
const modelKey = (key: number) => `models/rt-model-${key % MODELS}.bin`;

/** The request handler: what `dalbench serve` exposes and the `dal` and `http` drivers both measure. */
export async function detect(ctx: Pick<OperationContext<SystemUnderTest>, 'sut' | 'key' | 'rng'>) {
  const { sut, key, rng } = ctx;
  const id = detectorKey(key);
  const detector = await sut.cached(sut.key('detector', id), () => sut.dal.metadata.detectors.get(id));
  if (!detector) throw new Error(`${id} missing`);
  const [buckets, artifact] = await Promise.all([
    sut.dal.timeSeries.queryMetrics({
      metricName: `rt-${key}`,
      start: new Date(SERIES_END_MS - WINDOW_MS),
      end: new Date(SERIES_END_MS),
      aggregation: 'avg',
      interval: '1m',
    }),
    sut.dal.objects.get(modelKey(key)),
  ]);
  if (!artifact) throw new Error(`${modelKey(key)} missing`);
  const values = buckets.map((b) => b.value);
  const mean = values.reduce((a, b) => a + b, 0) / Math.max(1, values.length);
  const last = values.at(-1) ?? mean;
  const threshold = Number(detector.data.parameters.threshold ?? 1);
  const score = Math.abs(last - mean) / Math.max(1e-9, threshold);
  const at = new Date(SERIES_END_MS + 1 + rng.int(86_400_000));
  await sut.dal.timeSeries.saveMetrics([{ timestamp: at, metricName: `score-${key}`, value: score }]);
  const resultId = `${id}-${at.getTime()}-${rng.uint32().toString(16)}`;
  await sut.dal.documents.index('detections', resultId, {
    detector: id,
    score,
    anomalous: score > 3,
    model: modelKey(key),
    summary: `${word(rng)} ${score > 3 ? 'anomaly' : 'normal'}`,
    at: at.toISOString(),
  });
  return { detector: id, score, anomalous: score > 3 };
}

export function realtimeDetection(options: ScenarioBuildOptions = {}): Scenario<SystemUnderTest> {
  const { detectors, points, modelBytes } = pick(options, {
    quick: { detectors: 50, points: 360, modelBytes: 64 * KIB },
    full: { detectors: 500, points: 2_000, modelBytes: 1024 * KIB },
  });
  return defineScenario<SystemUnderTest>({
    name: 'realtime-detection',
    description: `per request: detector config (cached), 15-minute metrics window, model artifact (${modelBytes / KIB} KiB), result written and indexed`,
    stores: ['postgres'],
    data: { records: detectors },
    operations: [{ name: 'request', weight: 1, keys: { type: 'zipfian' }, run: detect }],
    async load({ sut, rng, records }) {
      const series = [];
      for (let d = 0; d < records; d++) {
        await sut.dal.metadata.detectors.create(
          {
            name: `realtime ${d}`,
            algorithm: 'zscore',
            parameters: { threshold: 2 + rng.next() },
            status: 'active',
          },
          { id: detectorKey(d) },
        );
        series.push(...seriesPoints(rng, `rt-${d}`, points, STEP_MS));
      }
      await loadMetricPoints(sut.dal.timeSeries, series);
      for (let m = 0; m < MODELS; m++) await sut.dal.objects.put(modelKey(m), rng.bytes(modelBytes));
    },
    derive: errorRate,
  });
}

export default realtimeDetection();

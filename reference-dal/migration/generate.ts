// A seeded dataset of every type written into the single-postgres layout through the DAL's ports:
// detectors, experiments and models (some updated, so versions differ), metric points with tags,
// documents in two collections (unicode, HTML, nesting), and objects of mixed sizes (0 B to 1 MiB).
// The same seed gives the same content (ids of entities are derived from it too).
import { createHash } from 'node:crypto';
import type { DataAccessLayer } from '../dal/data-access-layer.ts';
import { ValidationError } from '../errors.ts';

export interface DatasetSize {
  readonly entities: number;
  readonly metrics: number;
  readonly documents: number;
  readonly objects: number;
}

/** `--generate N`: N metric points and proportionally fewer of the heavier types. */
export function datasetSizeFor(n: number, field = 'generate'): DatasetSize {
  if (!Number.isInteger(n) || n < 1 || n > 1_000_000) {
    throw new ValidationError(field, `must be an integer 1-1000000, got ${String(n)}`);
  }
  return {
    metrics: n,
    entities: Math.max(3, Math.round(n / 4)),
    documents: Math.max(1, Math.round(n / 5)),
    objects: Math.max(1, Math.round(n / 10)),
  };
}

/** sfc32-like small generator (no dependency on the harness: the DAL must not import it). */
function seeded(seed: number): () => number {
  let a = seed >>> 0;
  let b = 0x9e3779b9;
  let c = 0x243f6a88;
  let d = 1;
  const next = () => {
    const t = (((a + b) | 0) + d) | 0;
    d = (d + 1) | 0;
    a = b ^ (b >>> 9);
    b = (c + (c << 3)) | 0;
    c = (c << 21) | (c >>> 11);
    c = (c + t) | 0;
    return (t >>> 0) / 0x1_0000_0000;
  };
  for (let i = 0; i < 16; i++) next();
  return next;
}

function uuidFrom(seed: number, label: string): string {
  const h = createHash('sha256').update(`${seed}:${label}`).digest('hex');
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-4${h.slice(13, 16)}-8${h.slice(17, 20)}-${h.slice(20, 32)}`;
}

const WORDS = ['anomaly', 'latency', 'fraud', 'sensor', 'drift', 'température', '検出', 'spike', 'baseline'];
const OBJECT_SIZES = [0, 1, 100, 4096, 65_536, 300_000, 1_048_576];

export async function generateSinglePostgresDataset(
  dal: DataAccessLayer,
  seed: number,
  size: DatasetSize,
  log: (line: string) => void = () => {},
): Promise<DatasetSize> {
  const rnd = seeded(seed);
  const int = (n: number) => Math.floor(rnd() * n);
  const word = () => WORDS[int(WORDS.length)]!;

  const detectorIds: string[] = [];
  const experimentIds: string[] = [];
  for (let i = 0; i < size.entities; i++) {
    const kind = i % 3;
    if (kind === 0) {
      const d = await dal.metadata.detectors.create(
        {
          name: `detector ${i}`,
          algorithm: word(),
          parameters: { window: int(100), nested: { k: word() } },
          status: 'active',
        },
        { id: uuidFrom(seed, `d${i}`) },
      );
      detectorIds.push(d.id);
      if (int(3) === 0)
        await dal.metadata.detectors.update(d.id, d.version, { ...d.data, status: 'inactive' });
    } else if (kind === 1) {
      const e = await dal.metadata.experiments.create(
        {
          name: `experiment ${i} ${word()}`,
          description: `<b>${word()}</b> & ${word()}`,
          detectorId: detectorIds.at(-1) ?? null,
          status: 'running',
          tags: [word(), word()],
          metrics: { auc: rnd() },
        },
        { id: uuidFrom(seed, `e${i}`) },
      );
      experimentIds.push(e.id);
      if (int(2) === 0)
        await dal.metadata.experiments.update(e.id, e.version, { ...e.data, status: 'completed' });
    } else {
      await dal.metadata.models.create(
        {
          name: `model ${i}`,
          detectorId: detectorIds.at(-1) ?? null,
          experimentId: experimentIds.at(-1) ?? null,
          artifactKey: `models/${i}/artifact.bin`,
          metrics: { f1: rnd() },
        },
        { id: uuidFrom(seed, `m${i}`) },
      );
    }
  }
  log(`generate: ${size.entities} entities`);

  const start = Date.UTC(2024, 0, 1);
  const points = Array.from({ length: size.metrics }, (_, i) => ({
    metricName: `metric.${i % 5}`,
    timestamp: new Date(start + Math.floor(i / 5) * 10_000 + int(5_000)),
    value: Math.round(rnd() * 1e6) / 1e3,
    tags: { host: `h${int(4)}`, region: word() },
  }));
  for (let i = 0; i < points.length; i += 1000) await dal.timeSeries.saveMetrics(points.slice(i, i + 1000));
  log(`generate: ${size.metrics} metric points`);

  for (let i = 0; i < size.documents; i++) {
    const collection = i % 2 === 0 ? 'experiments' : 'notes';
    await dal.documents.index(collection, `doc-${i}`, {
      title: `${word()} ${word()} ${i}`,
      body: `<p>${word()} "${word()}" AND ${word()}*</p>`,
      meta: { owner: `user${int(10)}`, depth: { level: int(3) } },
      score: int(1000),
    });
    if (int(4) === 0)
      await dal.documents.index(collection, `doc-${i}`, { title: `revised ${i}`, score: int(10) });
  }
  log(`generate: ${size.documents} documents`);

  for (let i = 0; i < size.objects; i++) {
    const bytes = OBJECT_SIZES[i % OBJECT_SIZES.length]!;
    const body = new Uint8Array(bytes);
    for (let j = 0; j < bytes; j += 4096) body[j] = int(256);
    body.fill(i % 251, 0, Math.min(bytes, 16));
    await dal.objects.put(`artifacts/${i % 7}/objet ${i} ü.bin`, body, {
      contentType: i % 2 === 0 ? 'application/octet-stream' : 'application/x-model',
      metadata: { index: String(i), seed: String(seed) },
    });
  }
  log(`generate: ${size.objects} objects (0 B to 1 MiB)`);
  return size;
}

// A scale + seed → the generator, the loader source and the dataset identity for one data kind.
// The identity's spec is the scale's section for that kind, so a changed size changes it.
import { datasetIdentity, type DatasetIdentity } from '../../reference-dal/ports/dataset.ts';
import { DocumentGenerator } from './generators/documents.ts';
import { MetricGenerator } from './generators/metrics.ts';
import { ObjectGenerator } from './generators/objects.ts';
import type { ZipfVocabulary } from './generators/vocabulary.ts';
import type { ScaleSpec } from './scale.ts';

export function metricDataset(scale: ScaleSpec, seed: number, schemaVersion: string, extraSpec: object = {}) {
  const generator = new MetricGenerator({ seed, scale: scale.metrics });
  const identity: DatasetIdentity = datasetIdentity({
    kind: 'metrics',
    spec: { ...scale.metrics, endMs: generator.endMs, ...extraSpec },
    scale: scale.name,
    seed,
    schemaVersion,
  });
  return {
    generator,
    identity,
    source: {
      total: generator.total,
      startMs: generator.startMs,
      endMs: generator.endMs,
      points: () => generator.points(),
    },
  };
}

export function documentDataset(
  scale: ScaleSpec,
  seed: number,
  schemaVersion: string,
  options: { vocabulary?: ZipfVocabulary; extraSpec?: object } = {},
) {
  const generator = new DocumentGenerator({ seed, scale: scale.documents, vocabulary: options.vocabulary });
  const identity = datasetIdentity({
    kind: 'documents',
    spec: {
      ...scale.documents,
      vocabulary: generator.vocabulary.size,
      zipf: generator.vocabulary.exponent,
      ...options.extraSpec,
    },
    scale: scale.name,
    seed,
    schemaVersion,
  });
  return { generator, identity, source: { total: generator.total, documents: () => generator.documents() } };
}

export function objectDataset(scale: ScaleSpec, seed: number, schemaVersion: string, extraSpec: object = {}) {
  const generator = new ObjectGenerator({ seed, scale: scale.objects });
  const identity = datasetIdentity({
    kind: 'objects',
    spec: { ...scale.objects, ...extraSpec },
    scale: scale.name,
    seed,
    schemaVersion,
  });
  return { generator, identity, source: { total: generator.total, objects: () => generator.objects() } };
}

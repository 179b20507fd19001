// Model artifacts: put/get of binary objects (1 KiB-16 MiB in full mode) and presigned URLs
// (ops `put`, `get`, `presign`). A profile whose object store has no presigned URLs (PostgreSQL bytea)
// runs put/get only, and the result says so (see scenarios/index.ts).
import { defineScenario, type Scenario } from '../harness/workload/scenario.ts';
import type { SystemUnderTest } from '../reference-dal/profiles/system-under-test.ts';
import { errorRate } from './support/derive.ts';
import { pick, type ScenarioBuildOptions } from './support/sizes.ts';

const KIB = 1024;

export function artifactKey(index: number): string {
  return `models/model-${index}.bin`;
}

export function modelArtifacts(options: ScenarioBuildOptions = {}): Scenario<SystemUnderTest> {
  const { records, size } = pick(options, {
    quick: { records: 20, size: { min: KIB, max: 256 * KIB } },
    full: { records: 100, size: { min: KIB, max: 16 * KIB * KIB } },
  });
  return defineScenario<SystemUnderTest>({
    name: 'model-artifacts',
    description: `put/get of ${size.min / KIB} KiB-${size.max / KIB} KiB artifacts, presigned URLs`,
    stores: ['postgres'],
    data: { records, valueSize: size },
    operations: [
      {
        name: 'put',
        weight: 1,
        inserts: true,
        async run({ sut, key, rng, valueSize }) {
          await sut.dal.objects.put(artifactKey(key), rng.bytes(valueSize), {
            contentType: 'application/octet-stream',
          });
        },
      },
      {
        name: 'get',
        weight: 3,
        keys: { type: 'zipfian' },
        async run({ sut, key }) {
          // Only loaded keys: a key another stream is still putting may not exist yet.
          const found = await sut.dal.objects.get(artifactKey(key % records));
          if (!found) throw new Error(`artifact ${artifactKey(key % records)} missing`);
        },
      },
      {
        name: 'presign',
        weight: 1,
        async run({ sut, key }) {
          await sut.dal.objects.presignGet(artifactKey(key % records), 300);
        },
      },
    ],
    async load(ctx) {
      for (let i = 0; i < ctx.records; i++)
        await ctx.sut.dal.objects.put(artifactKey(i), ctx.rng.bytes(ctx.valueSize(ctx.rng)));
    },
    derive: errorRate,
  });
}

export default modelArtifacts();

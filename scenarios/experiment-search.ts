// ADR-024 "50-80% faster search queries": full-text search with highlights over experiment
// metadata (op `search`).
import { defineScenario, type Scenario } from '../harness/workload/scenario.ts';
import type { SystemUnderTest } from '../reference-dal/profiles/system-under-test.ts';
import { chunks, experiment, searchText } from './support/data.ts';
import { errorRate } from './support/derive.ts';
import { scaled, type ScenarioBuildOptions } from './support/sizes.ts';

const COLLECTION = 'experiments';

export function experimentSearch(options: ScenarioBuildOptions = {}): Scenario<SystemUnderTest> {
  const records = scaled(options, { quick: 1_000, full: 20_000 }, (scale) => scale.documents.count);
  return defineScenario<SystemUnderTest>({
    name: 'experiment-search',
    description: `full-text search with highlights over ${records} experiment documents`,
    stores: ['postgres'],
    data: { records },
    operations: [
      {
        name: 'search',
        weight: 1,
        async run({ sut, rng }) {
          await sut.dal.documents.search(COLLECTION, { text: searchText(rng), highlight: true, size: 10 });
        },
      },
    ],
    async load({ sut, rng, records: n }) {
      const items = Array.from({ length: n }, (_, i) => {
        const data = experiment(rng, i);
        return { id: `exp-${i}`, document: { ...data } };
      });
      for (const batch of chunks(items, 1_000)) {
        const result = await sut.dal.documents.bulkIndex(COLLECTION, batch);
        if (result.errors.length > 0) throw new Error(`bulk load rejected ${result.errors.length} documents`);
      }
      await sut.dal.documents.refresh(COLLECTION);
    },
    derive: errorRate,
  });
}

export default experimentSearch();

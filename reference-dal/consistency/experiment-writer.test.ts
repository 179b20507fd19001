// The writer's invalidation hooks run where their names say: `beforeCommit` inside the transaction
// (another connection still reads the old row), `afterCommit` once the new row is visible to all.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DataAccessLayer } from '../dal/data-access-layer.ts';
import type { Experiment } from '../ports/transactional.ts';
import { createTestDatabase, type TestDatabase } from '../../test/support/databases.ts';
import { requireStore } from '../../test/support/stores.ts';
import { ExperimentWriter } from './experiment-writer.ts';

const data: Experiment = {
  name: 'e',
  description: 'd',
  detectorId: null,
  status: 'running',
  tags: [],
  metrics: {},
};

describe('ExperimentWriter hooks', () => {
  let db: TestDatabase;
  let dal: DataAccessLayer;

  beforeAll(async () => {
    db = await createTestDatabase(requireStore('postgres').url, 'writer_hooks');
    dal = await DataAccessLayer.initialize([{ type: 'transactional', backend: 'postgres', url: db.url }]);
  });

  afterAll(async () => {
    await dal?.close();
    await db?.[Symbol.asyncDispose]();
  });

  it('runs beforeCommit while the new version is still invisible, afterCommit once it is visible', async () => {
    const seen: string[] = [];
    const visible = async (hook: string, id: string) => {
      // An autocommit read on another pooled connection: what every other client sees now.
      seen.push(`${hook}: v${(await dal.metadata.experiments.get(id))?.version ?? 0}`);
    };
    const writer = new ExperimentWriter((fn) => dal.session('transactional', fn), {
      beforeCommit: (id) => visible('before', id),
      afterCommit: (id) => visible('after', id),
    });
    const created = await writer.create(data, { id: 'hooked' });
    await writer.update(created.id, created.version, { ...data, description: 'd2' });
    await writer.delete(created.id, created.version + 1);
    expect(seen).toEqual(['before: v0', 'after: v1', 'before: v1', 'after: v2', 'before: v2', 'after: v0']);
  });
});

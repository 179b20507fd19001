// Fuzzed metadata entities on PostgreSQL (a scratch database): SQL injection and other hostile
// strings in names, descriptions, tags, metric keys and ids are stored and found exactly (the SQL is
// parameterised), or refused with a ValidationError naming the field — the row count unchanged.
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { assertProperty } from '../../harness/conformance/support/seed.ts';
import { openPool, type PoolSubject } from '../../harness/conformance/support/postgres-subjects.ts';
import { createMetadataRepositories } from '../../reference-dal/backends/postgres/metadata-repository.ts';
import { migrateMetadata } from '../../reference-dal/backends/postgres/metadata-schema.ts';
import { ValidationError } from '../../reference-dal/errors.ts';
import type { Experiment, MetadataRepositories } from '../../reference-dal/ports/transactional.ts';
import { createTestDatabase, type TestDatabase } from '../support/databases.ts';
import { storeEndpoint } from '../support/stores.ts';
import { hostileString, hostileValue, shownError } from './support/hostile.ts';

const experimentArb: fc.Arbitrary<Experiment> = fc.record({
  name: hostileString,
  description: hostileString,
  detectorId: fc.constant(null),
  status: fc.constantFrom('running', 'completed', 'failed'),
  tags: fc.array(hostileString, { maxLength: 3 }),
  // -0 is not JSON (JSON.stringify writes 0), so jsonb cannot keep its sign: generated as 0.
  metrics: fc.dictionary(
    hostileString,
    fc.double({ noNaN: true, noDefaultInfinity: true }).map((n) => (Object.is(n, -0) ? 0 : n)),
    { maxKeys: 2 },
  ),
});

const available = storeEndpoint('postgres') !== undefined;

describe.skipIf(!available)('fuzzed metadata entities (postgres)', () => {
  let database: TestDatabase | undefined;
  let subject: PoolSubject | undefined;
  let repositories: MetadataRepositories | undefined;
  beforeAll(async () => {
    database = await createTestDatabase(storeEndpoint('postgres')!.url, 'fuzzmeta');
    subject = openPool(database.url, 'postgres');
    await migrateMetadata(subject.pool);
    repositories = createMetadataRepositories(subject.db);
  });
  afterAll(async () => {
    try {
      await subject?.[Symbol.asyncDispose]();
    } finally {
      await database?.[Symbol.asyncDispose]();
    }
  });

  it('hostile strings in every field round-trip exactly and are found by name, or are refused naming the field', async () => {
    const used = new Set<string>();
    await assertProperty(
      fc.asyncProperty(experimentArb, fc.option(hostileString), async (data, id) => {
        const { experiments } = repositories!;
        const before = await experiments.count();
        if (id !== null && used.has(id)) {
          // A duplicate id fails (the contract), and writes nothing.
          await expect(experiments.create(data, { id })).rejects.toThrow();
          expect(await experiments.count()).toBe(before);
          return;
        }
        let created;
        try {
          created = await experiments.create(data, id === null ? {} : { id });
        } catch (error) {
          expect(error, shownError(error)).toBeInstanceOf(ValidationError);
          expect((error as ValidationError).field).toMatch(
            /^(options\.id|id|data|name|description|tags|metrics|experiment)/,
          );
          expect(await experiments.count(), 'a refused entity changed the row count').toBe(before);
          return;
        }
        used.add(created.id);
        if (id !== null) expect(created.id).toBe(id);
        expect((await experiments.get(created.id))?.data).toEqual(data);
        const byName = await experiments.list({ where: { name: data.name }, limit: 1000 });
        expect(byName.map((e) => e.id)).toContain(created.id);
        expect(byName.every((e) => e.data.name === data.name)).toBe(true);
        expect(await experiments.count()).toBe(before + 1);
      }),
      60,
    );
  });

  it('hostile list limits, offsets and orders: a list or a ValidationError naming the option', async () => {
    await assertProperty(
      fc.asyncProperty(
        fc.constantFrom('limit', 'offset', 'order'),
        fc.oneof(hostileValue, fc.integer()),
        async (option, value) => {
          try {
            await repositories!.models.list({ [option]: value });
          } catch (error) {
            expect(error, shownError(error)).toBeInstanceOf(ValidationError);
            expect((error as ValidationError).field).toBe(option);
          }
        },
      ),
      100,
    );
  });
});

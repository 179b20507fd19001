// The transactional repository contract, model-based: random command sequences (create, get,
// update, stale update, delete, list, count) run against a plain in-memory model and the backend,
// which must agree after every command. A stale update must fail with VersionConflictError and
// change nothing.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { NotFoundError, ValidationError, VersionConflictError } from '../../reference-dal/errors.ts';
import type {
  Detector,
  Entity,
  EntityKind,
  EntityRepository,
  Experiment,
  ListFilter,
  MetadataRepositories,
  Model,
} from '../../reference-dal/ports/transactional.ts';
import { jsonContains } from './support/json-contains.ts';
import { assertProperty } from './support/seed.ts';

export interface MetadataSubject extends AsyncDisposable {
  readonly repositories: MetadataRepositories;
  /** Remove every entity (between property runs). */
  reset(): Promise<void>;
}

type AnyData = Detector | Experiment | Model;
type AnyEntity = Entity<AnyData>;
const KINDS: readonly EntityKind[] = ['detector', 'experiment', 'model'];

function repoOf(repos: MetadataRepositories, kind: EntityKind): EntityRepository<AnyData> {
  const byKind = { detector: repos.detectors, experiment: repos.experiments, model: repos.models };
  // Each repository accepts its own kind's data; the model only ever passes matching data.
  const repo: unknown = byKind[kind];
  return repo as EntityRepository<AnyData>;
}

// Small value pools so filters match several entities.
const word = fc.constantFrom('alpha', 'beta', 'gamma', 'delta');
const metrics = fc.dictionary(fc.constantFrom('f1', 'auc', 'loss'), fc.integer({ min: -100, max: 100 }), {
  maxKeys: 2,
});
const ref = fc.option(fc.constantFrom('d-1', 'd-2'), { nil: null });

const dataArb: Record<EntityKind, fc.Arbitrary<AnyData>> = {
  detector: fc.record({
    name: word,
    algorithm: fc.constantFrom('zscore', 'iforest'),
    parameters: fc.dictionary(fc.constantFrom('window', 'k'), fc.oneof(fc.integer(), fc.boolean(), word), {
      maxKeys: 2,
    }),
    status: fc.constantFrom('active' as const, 'inactive' as const),
  }),
  experiment: fc.record({
    name: word,
    description: fc.string({ maxLength: 10 }),
    detectorId: ref,
    status: fc.constantFrom('running' as const, 'completed' as const, 'failed' as const),
    tags: fc.uniqueArray(word, { maxLength: 3 }),
    metrics,
  }),
  model: fc.record({
    name: word,
    detectorId: ref,
    experimentId: ref,
    artifactKey: fc.option(fc.constantFrom('models/a.bin', 'models/b.bin'), { nil: null }),
    metrics,
  }),
};

class MetadataModel {
  readonly entities = new Map<string, { kind: EntityKind; entity: AnyEntity }>();
  ofKind(kind: EntityKind): AnyEntity[] {
    return [...this.entities.values()].filter((e) => e.kind === kind).map((e) => e.entity);
  }
  pick(kind: EntityKind, index: number): AnyEntity | undefined {
    const list = this.ofKind(kind);
    return list.length === 0 ? undefined : list[index % list.length];
  }
}

type Cmd = fc.AsyncCommand<MetadataModel, MetadataRepositories>;
const MISSING_ID = 'no-such-entity';

function same(actual: AnyEntity | undefined, expected: AnyEntity | undefined): void {
  expect(
    actual && { ...actual, createdAt: actual.createdAt.getTime(), updatedAt: actual.updatedAt.getTime() },
  ).toEqual(
    expected && {
      ...expected,
      createdAt: expected.createdAt.getTime(),
      updatedAt: expected.updatedAt.getTime(),
    },
  );
}

const ORDER_KEYS = {
  createdAt: (e: AnyEntity) => e.createdAt.getTime(),
  updatedAt: (e: AnyEntity) => e.updatedAt.getTime(),
} as const;

function modelList(model: MetadataModel, kind: EntityKind, filter: ListFilter<AnyData>): AnyEntity[] {
  const order = filter.order ?? 'createdAt';
  const key = ORDER_KEYS[order.replace('-', '') as keyof typeof ORDER_KEYS];
  const sign = order.startsWith('-') ? -1 : 1;
  const sorted = model
    .ofKind(kind)
    .filter((e) => filter.where === undefined || jsonContains(e.data, filter.where))
    .sort((a, b) => sign * (key(a) - key(b) || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0)));
  const offset = filter.offset ?? 0;
  return sorted.slice(offset, filter.limit === undefined ? undefined : offset + filter.limit);
}

/** A `where` built from an existing entity's field (so it matches something) or a fixed value. */
function whereFrom(
  entity: AnyEntity | undefined,
  field: number,
  fallback: string,
): Partial<AnyData> | undefined {
  if (!entity) return undefined;
  const entries: [string, unknown][] = Object.entries(entity.data);
  const entry = entries[field % (entries.length + 1)];
  if (!entry) return undefined; // the "no filter" choice
  const [name, value] = entry;
  const where: Record<string, unknown> = {};
  if (Array.isArray(value)) where[name] = value.slice(0, 1);
  else if (name === 'name' && field % 2 === 0) where.name = fallback;
  else where[name] = value;
  return where;
}

function commands(): fc.Arbitrary<Cmd>[] {
  const kind = fc.constantFrom(...KINDS);
  const pick = fc.nat(50);
  const anyData = kind.chain((k) => dataArb[k].map((data) => ({ k, data })));
  return [
    anyData.map(({ k, data }): Cmd => ({
      check: () => true,
      async run(model, real) {
        const created = await repoOf(real, k).create(data);
        expect(created.version).toBe(1);
        expect(created.data).toEqual(data);
        expect(created.createdAt.getTime()).toBe(created.updatedAt.getTime());
        model.entities.set(created.id, { kind: k, entity: created });
      },
      toString: () => `create(${k}, ${JSON.stringify(data)})`,
    })),
    fc.tuple(kind, pick).map(([k, i]): Cmd => ({
      check: () => true,
      async run(model, real) {
        const target = model.pick(k, i);
        same(await repoOf(real, k).get(target?.id ?? MISSING_ID), target);
      },
      toString: () => `get(${k}, #${i})`,
    })),
    anyData.chain(({ k, data }) =>
      pick.map((i): Cmd => ({
        check: (model) => model.pick(k, i) !== undefined,
        async run(model, real) {
          const target = model.pick(k, i) as AnyEntity;
          const updated = await repoOf(real, k).update(target.id, target.version, data);
          expect(updated.version).toBe(target.version + 1);
          expect(updated.data).toEqual(data);
          expect(updated.createdAt.getTime()).toBe(target.createdAt.getTime());
          model.entities.set(target.id, { kind: k, entity: updated });
        },
        toString: () => `update(${k}, #${i}, ${JSON.stringify(data)})`,
      })),
    ),
    anyData.chain(({ k, data }) =>
      fc.tuple(pick, fc.constantFrom(-2, -1, 1, 3)).map(([i, delta]): Cmd => ({
        check: (model) => model.pick(k, i) !== undefined,
        async run(model, real) {
          const target = model.pick(k, i) as AnyEntity;
          const stale = target.version + delta >= 0 ? target.version + delta : target.version + 1;
          const error = await repoOf(real, k)
            .update(target.id, stale, data)
            .then(
              () => undefined,
              (e: unknown) => e,
            );
          expect(error).toBeInstanceOf(VersionConflictError);
          expect((error as VersionConflictError).actualVersion).toBe(target.version);
          same(await repoOf(real, k).get(target.id), target);
        },
        toString: () => `staleUpdate(${k}, #${i}, version${delta > 0 ? '+' : ''}${delta})`,
      })),
    ),
    fc.tuple(kind, pick, fc.boolean()).map(([k, i, withVersion]): Cmd => ({
      check: (model) => model.pick(k, i) !== undefined,
      async run(model, real) {
        const target = model.pick(k, i) as AnyEntity;
        const repo = repoOf(real, k);
        expect(await repo.delete(target.id, withVersion ? target.version : undefined)).toBe(true);
        model.entities.delete(target.id);
        expect(await repo.delete(target.id)).toBe(false);
        await expect(repo.update(target.id, target.version, target.data)).rejects.toBeInstanceOf(
          NotFoundError,
        );
      },
      toString: () => `delete(${k}, #${i}, withVersion=${withVersion})`,
    })),
    fc
      .tuple(
        kind,
        pick,
        fc.nat(10),
        word,
        fc.constantFrom(undefined, 'createdAt', '-createdAt', 'updatedAt', '-updatedAt'),
        fc.option(fc.nat(5), { nil: undefined }),
        fc.option(fc.nat(3), { nil: undefined }),
      )
      .map(([k, i, field, fallback, order, limit, offset]): Cmd => ({
        check: () => true,
        async run(model, real) {
          const filter: ListFilter<AnyData> = {
            where: whereFrom(model.pick(k, i), field, fallback),
            ...(order ? { order } : {}),
            ...(limit === undefined ? {} : { limit }),
            ...(offset === undefined ? {} : { offset }),
          };
          const repo = repoOf(real, k);
          const actual = await repo.list(filter);
          const expected = modelList(model, k, filter);
          expect(actual.map((e) => e.id)).toEqual(expected.map((e) => e.id));
          expect(await repo.count(filter.where)).toBe(modelList(model, k, { where: filter.where }).length);
        },
        toString: () =>
          `list(${k}, #${i}, field ${field}, ${order ?? 'default'}, limit ${limit}, offset ${offset})`,
      })),
  ];
}

export function metadataContract(backend: string, open: () => Promise<MetadataSubject>): void {
  describe(`transactional repository contract: ${backend}`, () => {
    it('agrees with an in-memory model on random command sequences (stale updates rejected)', async () => {
      await using subject = await open();
      await assertProperty(
        fc.asyncProperty(fc.commands(commands(), { maxCommands: 30 }), async (cmds) => {
          await subject.reset();
          await fc.asyncModelRun(() => ({ model: new MetadataModel(), real: subject.repositories }), cmds);
        }),
        30,
      );
    });

    it('rejects invalid entity data and filters with a ValidationError naming the field', async () => {
      await using subject = await open();
      // The model-based property before this may leave rows behind: start from none.
      await subject.reset();
      const detectors = subject.repositories.detectors;
      const good: Detector = { name: 'd', algorithm: 'zscore', parameters: {}, status: 'active' };
      await expect(detectors.create({ ...good, status: 'on' as 'active' })).rejects.toMatchObject({
        name: 'ValidationError',
        field: 'detector.status',
      });
      await expect(detectors.create({ ...good, name: '' })).rejects.toBeInstanceOf(ValidationError);
      await expect(
        subject.repositories.experiments.create({
          name: 'e',
          description: '',
          detectorId: null,
          status: 'running',
          tags: [],
          metrics: { f1: Number.NaN },
        }),
      ).rejects.toMatchObject({ field: 'experiment.metrics.f1' });
      await expect(detectors.list({ where: { bogus: 1 } as Partial<Detector> })).rejects.toMatchObject({
        name: 'ValidationError',
      });
      await expect(detectors.list({ limit: -1 })).rejects.toMatchObject({ field: 'limit' });
      await expect(detectors.get('')).rejects.toMatchObject({ name: 'ValidationError', field: 'id' });
      await expect(detectors.update('x', 1.5, good)).rejects.toMatchObject({ field: 'expectedVersion' });
      expect(await detectors.count()).toBe(0);
    });

    it('create with a caller-supplied id, and a duplicate id fails', async () => {
      await using subject = await open();
      await subject.reset();
      const data: Model = { name: 'm', detectorId: null, experimentId: null, artifactKey: null, metrics: {} };
      const created = await subject.repositories.models.create(data, { id: 'model-42' });
      expect(created.id).toBe('model-42');
      await expect(subject.repositories.models.create(data, { id: 'model-42' })).rejects.toThrow();
      expect(await subject.repositories.models.count()).toBe(1);
    });
  });
}

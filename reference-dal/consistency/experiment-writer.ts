// Writes experiments the ADR way: the row and its outbox event in one PostgreSQL transaction,
// then (after commit) the cached copy is invalidated. Search is updated by the OutboxRelay, so a
// write never waits on Elasticsearch being up.
import type { JsonDocument } from '../ports/documents.ts';
import type { Entity, Experiment } from '../ports/transactional.ts';
import { recordOutboxEvent } from './outbox-event.ts';
import type { RunInTransaction } from './relay.ts';

export const EXPERIMENTS_COLLECTION = 'experiments';

export interface ExperimentWriterOptions {
  readonly collection?: string;
  /** Runs after the transaction committed, e.g. CacheManager.invalidate of the entity's keys. */
  readonly afterCommit?: (entityId: string) => Promise<void>;
  /**
   * Runs inside the transaction, after the row and its event are written and before COMMIT. Only a
   * defect profile invalidates here: a reader can load the old row and cache it again before the
   * commit makes the new one visible.
   */
  readonly beforeCommit?: (entityId: string) => Promise<void>;
}

/** The search document of an experiment: what the relay indexes and what search returns. */
export function experimentSearchDocument(entity: Entity<Experiment>): JsonDocument {
  return {
    name: entity.data.name,
    description: entity.data.description,
    status: entity.data.status,
    tags: entity.data.tags,
    detectorId: entity.data.detectorId,
    version: entity.version,
    updatedAt: entity.updatedAt.toISOString(),
  };
}

export class ExperimentWriter {
  readonly #transaction: RunInTransaction;
  readonly #collection: string;
  readonly #afterCommit: ((entityId: string) => Promise<void>) | undefined;
  readonly #beforeCommit: ((entityId: string) => Promise<void>) | undefined;

  constructor(transaction: RunInTransaction, options: ExperimentWriterOptions = {}) {
    this.#transaction = transaction;
    this.#collection = options.collection ?? EXPERIMENTS_COLLECTION;
    this.#afterCommit = options.afterCommit;
    this.#beforeCommit = options.beforeCommit;
  }

  async create(data: Experiment, options: { id?: string } = {}): Promise<Entity<Experiment>> {
    const entity = await this.#transaction(async (session) => {
      const created = await session.experiments.create(data, options);
      await recordOutboxEvent(session, this.#event(created));
      await this.#beforeCommit?.(created.id);
      return created;
    });
    await this.#afterCommit?.(entity.id);
    return entity;
  }

  /** Optimistic: throws VersionConflictError when `expectedVersion` is stale; nothing is written then. */
  async update(id: string, expectedVersion: number, data: Experiment): Promise<Entity<Experiment>> {
    const entity = await this.#transaction(async (session) => {
      const updated = await session.experiments.update(id, expectedVersion, data);
      await recordOutboxEvent(session, this.#event(updated));
      await this.#beforeCommit?.(id);
      return updated;
    });
    await this.#afterCommit?.(id);
    return entity;
  }

  async delete(id: string, expectedVersion: number): Promise<boolean> {
    const deleted = await this.#transaction(async (session) => {
      const gone = await session.experiments.delete(id, expectedVersion);
      if (gone) {
        await recordOutboxEvent(session, {
          collection: this.#collection,
          entityId: id,
          entityVersion: expectedVersion + 1,
          op: 'delete',
        });
        await this.#beforeCommit?.(id);
      }
      return gone;
    });
    if (deleted) await this.#afterCommit?.(id);
    return deleted;
  }

  #event(entity: Entity<Experiment>) {
    return {
      collection: this.#collection,
      entityId: entity.id,
      entityVersion: entity.version,
      op: 'upsert' as const,
      payload: experimentSearchDocument(entity),
    };
  }
}

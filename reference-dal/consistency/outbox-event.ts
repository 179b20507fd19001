import type { JsonDocument } from '../ports/documents.ts';
import type { TransactionalSession } from '../ports/transactional.ts';

export interface OutboxEvent {
  readonly collection: string;
  readonly entityId: string;
  /** The entity's version after the write: the search store's external version, so replays are idempotent. */
  readonly entityVersion: number;
  readonly op: 'upsert' | 'delete';
  readonly payload?: JsonDocument;
}

/** Record an event inside the caller's open transaction: it commits or rolls back with the write. */
export async function recordOutboxEvent(session: TransactionalSession, event: OutboxEvent): Promise<void> {
  await session.query(
    `INSERT INTO dalbench_outbox (collection, entity_id, entity_version, op, payload)
     VALUES ($1, $2, $3, $4, $5::jsonb)`,
    [
      event.collection,
      event.entityId,
      event.entityVersion,
      event.op,
      event.payload ? JSON.stringify(event.payload) : null,
    ],
  );
}

// Moves every data type from the single-postgres source into the polyglot target in keyset batches.
// After each batch is durably written, the type's checkpoint (in the target transactional database)
// records the cursor; a run with `resume` continues from it. An AbortSignal stops between batches.
import type pg from 'pg';
import type { DataAccessLayer } from '../dal/data-access-layer.ts';
import { ValidationError } from '../errors.ts';
import {
  ensureCheckpointTable,
  readCheckpoint,
  resetCheckpoints,
  writeCheckpoint,
  type Checkpoint,
} from './checkpoints.ts';
import { DATA_TYPES, dataTypeSpecs, type DataType, type DataTypeSpec } from './data-types.ts';
import { MigrationAbortedError } from './errors.ts';

export interface MigrationOptions {
  /** Source records per batch (objects: also at most 64 MiB of bodies per batch). */
  readonly batchSize?: number;
  /** Continue from the checkpoints; otherwise they are reset and every type starts over. */
  readonly resume?: boolean;
  /** Checked between batches: when aborted, the run stops with MigrationAbortedError (checkpoints kept). */
  readonly signal?: AbortSignal;
  readonly onProgress?: (progress: MigrationProgress) => void;
  /**
   * How each data type is read and written (default: dataTypeSpecs()). A what-if or defect migration
   * swaps one in; verification always uses the reference specs, so a writer that changes content
   * shows as a mismatch naming the record.
   */
  readonly specs?: readonly DataTypeSpec<unknown>[];
}

export interface MigrationProgress {
  readonly dataType: DataType;
  readonly batch: number;
  readonly batchRows: number;
  /** Records of this type migrated so far (including earlier runs when resuming). */
  readonly migrated: number;
  readonly total: number;
}

export interface TypeMigrationResult {
  readonly dataType: DataType;
  readonly migrated: number;
  readonly batches: number;
  /** Records the checkpoint said were already done when this run began. */
  readonly resumedFrom: number;
  readonly elapsedMs: number;
}

export const DEFAULT_BATCH_SIZE = 500;

export function resolveBatchSize(value: number | undefined, field = 'batchSize'): number {
  const size = value ?? DEFAULT_BATCH_SIZE;
  if (!Number.isInteger(size) || size < 1 || size > 10_000) {
    throw new ValidationError(field, `must be an integer 1-10000, got ${String(value)}`);
  }
  return size;
}

export async function migrateAll(
  source: pg.Pool,
  target: DataAccessLayer,
  options: MigrationOptions = {},
): Promise<TypeMigrationResult[]> {
  const batchSize = resolveBatchSize(options.batchSize);
  await target.session('transactional', async (session) => {
    await ensureCheckpointTable(session);
    if (!options.resume) await resetCheckpoints(session);
  });
  const results: TypeMigrationResult[] = [];
  for (const spec of options.specs ?? dataTypeSpecs()) {
    const began = performance.now();
    const start = await target.session('transactional', (session) => readCheckpoint(session, spec.name));
    const total = await spec.sourceCount(source);
    let checkpoint: Checkpoint = start;
    let batches = 0;
    while (!checkpoint.completed) {
      if (options.signal?.aborted) {
        throw new MigrationAbortedError(
          `migration interrupted during ${spec.name} after ${checkpoint.migrated} of ${total} records; resume to continue`,
          { cause: options.signal.reason },
        );
      }
      const batch = await spec.read(source, checkpoint.cursor, batchSize);
      const next: Checkpoint =
        batch.rows.length === 0
          ? { ...checkpoint, completed: true }
          : { cursor: batch.cursor, migrated: checkpoint.migrated + batch.rows.length, completed: false };
      if (batch.rows.length === 0) {
        await target.session('transactional', (session) => writeCheckpoint(session, spec.name, next));
      } else {
        await spec.write(target, batch.rows, (session) => writeCheckpoint(session, spec.name, next));
        batches++;
        options.onProgress?.({
          dataType: spec.name,
          batch: batches,
          batchRows: batch.rows.length,
          migrated: next.migrated,
          total,
        });
      }
      checkpoint = next;
    }
    results.push({
      dataType: spec.name,
      migrated: checkpoint.migrated,
      batches,
      resumedFrom: start.migrated,
      elapsedMs: performance.now() - began,
    });
  }
  return results;
}

export { DATA_TYPES };

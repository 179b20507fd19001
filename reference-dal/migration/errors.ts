// Errors of the migration: a bad option names it; an interrupted run says where it stopped.
import { DalError } from '../errors.ts';

export class MigrationError extends DalError {
  override name = 'MigrationError';
}

/** The migration stopped on its AbortSignal; the checkpoints say where to resume. */
export class MigrationAbortedError extends MigrationError {
  override name = 'MigrationAbortedError';
}

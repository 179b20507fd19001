// The two sides of a migration, opened together and closed together: the single-postgres source
// (its DAL, whose initialisation creates its tables when missing, plus a pool for keyset reads) and
// the polyglot target DAL.
import pg from 'pg';
import { DataAccessLayer } from '../dal/data-access-layer.ts';
import { polyglotLayout, singlePostgresLayout, type PolyglotTarget } from './layouts.ts';
import { migrateAll, type MigrationOptions, type TypeMigrationResult } from './run-migration.ts';
import { verifyMigration, type TypeVerification } from './verify.ts';
import { pgConnection } from '../sql/connection.ts';

export class MigrationSession implements AsyncDisposable {
  #closing: Promise<void> | undefined;

  private constructor(
    readonly sourceUrl: string,
    readonly sourcePool: pg.Pool,
    readonly source: DataAccessLayer,
    readonly target: DataAccessLayer,
  ) {}

  static async open(sourceUrl: string, target: PolyglotTarget): Promise<MigrationSession> {
    const source = await DataAccessLayer.initialize(singlePostgresLayout(sourceUrl));
    try {
      const polyglot = await DataAccessLayer.initialize(polyglotLayout(target));
      return new MigrationSession(
        sourceUrl,
        new pg.Pool({ ...pgConnection(sourceUrl), max: 2 }),
        source,
        polyglot,
      );
    } catch (error) {
      await source.close();
      throw error;
    }
  }

  migrate(options: MigrationOptions = {}): Promise<TypeMigrationResult[]> {
    return migrateAll(this.sourcePool, this.target, options);
  }

  verify(options: { batchSize?: number } = {}): Promise<TypeVerification[]> {
    return verifyMigration(this.sourcePool, this.target, options);
  }

  close(): Promise<void> {
    this.#closing ??= (async () => {
      const results = await Promise.allSettled([
        this.sourcePool.end(),
        this.source.close(),
        this.target.close(),
      ]);
      const failed = results.find((r) => r.status === 'rejected');
      if (failed) throw failed.reason;
    })();
    return this.#closing;
  }

  [Symbol.asyncDispose](): Promise<void> {
    return this.close();
  }
}

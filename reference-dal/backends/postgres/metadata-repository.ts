// Transactional repository of the ADR's metadata entities on PostgreSQL: optimistic versioning,
// jsonb containment filters, bound to a Queryable so it works on a pool or inside a transaction.
import { randomUUID } from 'node:crypto';
import { NotFoundError, ValidationError, VersionConflictError } from '../../errors.ts';
import { parseEntityData, parseEntityId, parseWhere } from '../../domain/entities.ts';
import type {
  Entity,
  EntityDataByKind,
  EntityKind,
  EntityRepository,
  ListFilter,
  MetadataRepositories,
} from '../../ports/transactional.ts';
import type { Queryable } from '../../sql/queryable.ts';
import { METADATA_TABLES } from './metadata-migrations.ts';

interface EntityRow {
  id: string;
  version: number;
  created_at: Date;
  updated_at: Date;
  data: unknown;
}

const ORDER_SQL = {
  createdAt: 'created_at ASC, id ASC',
  '-createdAt': 'created_at DESC, id DESC',
  updatedAt: 'updated_at ASC, id ASC',
  '-updatedAt': 'updated_at DESC, id DESC',
} as const;

const MAX_LIMIT = 10_000;
// Millisecond precision so the Date a caller holds equals the stored value (JS Dates have ms).
const NOW_MS = `date_trunc('milliseconds', clock_timestamp())`;
const COLUMNS = 'id, version, created_at, updated_at, data';

function toEntity<D>(row: EntityRow): Entity<D> {
  return {
    id: row.id,
    version: row.version,
    createdAt: row.created_at,
    updatedAt: row.updated_at,
    data: row.data as D,
  };
}

function nonNegativeInt(field: string, value: unknown, max: number): number {
  if (typeof value !== 'number' || !Number.isInteger(value) || value < 0 || value > max) {
    throw new ValidationError(field, `expected an integer in 0..${max}, got ${shown(value)}`);
  }
  return value;
}

/** The hot statements of one table, built once (a repository is built per transaction too). */
function statementsOf(table: string) {
  return {
    create: {
      name: `${table}_create`,
      text: `INSERT INTO ${table} (id, version, created_at, updated_at, data)
             SELECT $1, 1, now_ms, now_ms, $2::jsonb FROM (SELECT ${NOW_MS} AS now_ms) t
             RETURNING ${COLUMNS}`,
    },
    get: { name: `${table}_get`, text: `SELECT ${COLUMNS} FROM ${table} WHERE id = $1` },
    update: {
      name: `${table}_update`,
      text: `UPDATE ${table} SET data = $3::jsonb, version = version + 1, updated_at = ${NOW_MS}
             WHERE id = $1 AND version = $2 RETURNING ${COLUMNS}`,
    },
    delete: {
      name: `${table}_delete`,
      text: `DELETE FROM ${table} WHERE id = $1 AND ($2::integer IS NULL OR version = $2) RETURNING id`,
    },
  } as const;
}

const STATEMENTS = {
  detector: statementsOf(METADATA_TABLES.detector),
  experiment: statementsOf(METADATA_TABLES.experiment),
  model: statementsOf(METADATA_TABLES.model),
} as const;

/**
 * A named statement with its values, built field by field: `{ ...statement, values }` cost about
 * 1 µs per statement more on Node 20 (measured in isolation), on a ≈ 70 µs point read.
 */
function bound(statement: { readonly name: string; readonly text: string }, values: readonly unknown[]) {
  return { name: statement.name, text: statement.text, values };
}

export class PostgresEntityRepository<K extends EntityKind> implements EntityRepository<EntityDataByKind[K]> {
  readonly #db: Queryable;
  readonly #kind: K;
  readonly #table: string;
  readonly #sql: ReturnType<typeof statementsOf>;

  constructor(db: Queryable, kind: K) {
    this.#db = db;
    this.#kind = kind;
    this.#table = METADATA_TABLES[kind];
    this.#sql = STATEMENTS[kind];
  }

  async create(
    data: EntityDataByKind[K],
    options: { id?: string } = {},
  ): Promise<Entity<EntityDataByKind[K]>> {
    const parsed = parseEntityData(this.#kind, data);
    const id = options.id === undefined ? randomUUID() : parseEntityId(options.id, 'options.id');
    const result = await this.#db.query<EntityRow>(bound(this.#sql.create, [id, parsed.json]));
    return toEntity(result.rows[0] as EntityRow);
  }

  async get(id: string): Promise<Entity<EntityDataByKind[K]> | undefined> {
    const result = await this.#db.query<EntityRow>(bound(this.#sql.get, [parseEntityId(id)]));
    const row = result.rows[0];
    return row ? toEntity(row) : undefined;
  }

  async update(
    id: string,
    expectedVersion: number,
    data: EntityDataByKind[K],
  ): Promise<Entity<EntityDataByKind[K]>> {
    const key = parseEntityId(id);
    const expected = nonNegativeInt('expectedVersion', expectedVersion, 2 ** 31 - 1);
    const parsed = parseEntityData(this.#kind, data);
    const result = await this.#db.query<EntityRow>(bound(this.#sql.update, [key, expected, parsed.json]));
    const row = result.rows[0];
    if (row) return toEntity(row);
    const current = await this.#currentVersion(key);
    if (current === undefined) throw new NotFoundError(this.#kind, key);
    throw new VersionConflictError(this.#kind, key, expected, current);
  }

  async delete(id: string, expectedVersion?: number): Promise<boolean> {
    const key = parseEntityId(id);
    const expected =
      expectedVersion === undefined ? null : nonNegativeInt('expectedVersion', expectedVersion, 2 ** 31 - 1);
    const result = await this.#db.query(bound(this.#sql.delete, [key, expected]));
    if ((result.rowCount ?? 0) > 0) return true;
    if (expected === null) return false;
    const current = await this.#currentVersion(key);
    if (current === undefined) return false;
    throw new VersionConflictError(this.#kind, key, expected, current);
  }

  async list(filter: ListFilter<EntityDataByKind[K]> = {}): Promise<Entity<EntityDataByKind[K]>[]> {
    const where = parseWhere(this.#kind, filter.where);
    const limit = filter.limit === undefined ? MAX_LIMIT : nonNegativeInt('limit', filter.limit, MAX_LIMIT);
    const offset = filter.offset === undefined ? 0 : nonNegativeInt('offset', filter.offset, 2 ** 31 - 1);
    const order = filter.order ?? 'createdAt';
    if (typeof order !== 'string' || !Object.hasOwn(ORDER_SQL, order)) {
      throw new ValidationError('order', `expected one of ${Object.keys(ORDER_SQL).join(', ')}`);
    }
    const result = await this.#db.query<EntityRow>({
      text: `SELECT ${COLUMNS} FROM ${this.#table}
             WHERE ($1::jsonb IS NULL OR data @> $1::jsonb)
             ORDER BY ${ORDER_SQL[order]} LIMIT $2 OFFSET $3`,
      values: [where ?? null, limit, offset],
    });
    return result.rows.map((row) => toEntity(row));
  }

  async count(where?: Partial<EntityDataByKind[K]>): Promise<number> {
    const filter = parseWhere(this.#kind, where);
    const result = await this.#db.query<{ n: string }>({
      text: `SELECT count(*) AS n FROM ${this.#table} WHERE ($1::jsonb IS NULL OR data @> $1::jsonb)`,
      values: [filter ?? null],
    });
    return Number(result.rows[0]?.n ?? 0);
  }

  async #currentVersion(id: string): Promise<number | undefined> {
    const result = await this.#db.query<{ version: number }>({
      text: `SELECT version FROM ${this.#table} WHERE id = $1`,
      values: [id],
    });
    return result.rows[0]?.version;
  }
}

/** The three repositories bound to one Queryable (a pool, or a transaction's client). */
export function createMetadataRepositories(db: Queryable): MetadataRepositories {
  return {
    detectors: new PostgresEntityRepository(db, 'detector'),
    experiments: new PostgresEntityRepository(db, 'experiment'),
    models: new PostgresEntityRepository(db, 'model'),
  };
}

/** The value for a message: String() throws for an object without a prototype (found by test/fuzz). */
function shown(value: unknown): string {
  try {
    return String(value);
  } catch {
    return Object.prototype.toString.call(value);
  }
}

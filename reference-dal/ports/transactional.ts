// Transactional metadata (PostgreSQL in every profile): detectors, experiments, models.

export const ENTITY_KINDS = ['detector', 'experiment', 'model'] as const;
export type EntityKind = (typeof ENTITY_KINDS)[number];

export interface Detector {
  name: string;
  algorithm: string;
  parameters: Record<string, unknown>;
  status: 'active' | 'inactive';
}

export interface Experiment {
  name: string;
  description: string;
  detectorId: string | null;
  status: 'running' | 'completed' | 'failed';
  tags: string[];
  metrics: Record<string, number>;
}

export interface Model {
  name: string;
  detectorId: string | null;
  experimentId: string | null;
  /** Key of the artifact in the object store. */
  artifactKey: string | null;
  metrics: Record<string, number>;
}

export interface EntityDataByKind {
  detector: Detector;
  experiment: Experiment;
  model: Model;
}

/** A stored entity: `version` starts at 1 and grows by one on every update (optimistic concurrency). */
export interface Entity<D> {
  readonly id: string;
  readonly version: number;
  readonly createdAt: Date;
  readonly updatedAt: Date;
  readonly data: D;
}

export interface ListFilter<D> {
  /** Equality on top-level fields (containment for arrays/objects). */
  where?: Partial<D>;
  limit?: number;
  offset?: number;
  /** Default: createdAt ascending, then id. */
  order?: 'createdAt' | '-createdAt' | 'updatedAt' | '-updatedAt';
}

export interface EntityRepository<D> {
  create(data: D, options?: { id?: string }): Promise<Entity<D>>;
  get(id: string): Promise<Entity<D> | undefined>;
  /** Throws VersionConflictError when the stored version is not `expectedVersion`, NotFoundError when gone. */
  update(id: string, expectedVersion: number, data: D): Promise<Entity<D>>;
  /** With `expectedVersion`, deletes only that version (else VersionConflictError). Returns false when absent. */
  delete(id: string, expectedVersion?: number): Promise<boolean>;
  list(filter?: ListFilter<D>): Promise<Entity<D>[]>;
  count(where?: Partial<D>): Promise<number>;
}

export interface MetadataRepositories {
  readonly detectors: EntityRepository<Detector>;
  readonly experiments: EntityRepository<Experiment>;
  readonly models: EntityRepository<Model>;
}

/** What a transactional session callback receives: repositories bound to one open transaction. */
export interface TransactionalSession extends MetadataRepositories {
  /** Raw parameterised SQL inside the same transaction (outbox, migrations, tests). */
  query<R extends Record<string, unknown> = Record<string, unknown>>(
    sql: string,
    params?: readonly unknown[],
  ): Promise<{ rows: R[]; rowCount: number }>;
}

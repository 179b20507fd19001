// results.json: the one contract between a run and everything that reads it (budgets, compare,
// renderers, merge). Validated on every read; a file from a newer schema is refused by name.
import { z } from 'zod';

export const RESULTS_SCHEMA_VERSION = 1;

const nonNegative = z.number().finite().min(0);

/** Latency summary in microseconds plus the encoded HdrHistogram it came from (lossless merge/re-render). */
export const histogramSchema = z.object({
  count: z.number().int().min(0),
  minUs: nonNegative,
  meanUs: nonNegative,
  p50Us: nonNegative,
  p90Us: nonNegative,
  p95Us: nonNegative,
  p99Us: nonNegative,
  p999Us: nonNegative,
  maxUs: nonNegative,
  /** Base64 of hdr-histogram-js `encodeIntoCompressedBase64` (µs, 3 significant digits). */
  encoded: z.string(),
  /**
   * Observations that never ended inside their limit (e.g. a visibility probe that timed out),
   * recorded at the limit: the percentiles are then lower bounds wherever they reach it.
   */
  censoredCount: z.number().int().min(0).optional(),
});
export type HistogramSummary = z.infer<typeof histogramSchema>;

export const seriesPointSchema = z.object({
  /** Seconds since the measure phase began. */
  t: z.number().min(0),
  ops: z.number().int().min(0),
  p99Us: nonNegative,
});

/** The harness process's resources at one second of the measure phase (soak: a leak is a slope). */
export const resourcePointSchema = z.object({
  /** Seconds since the measure phase began. */
  t: z.number().min(0),
  heapUsedMb: nonNegative,
  rssMb: nonNegative,
  /** Connected sockets (TCP, TLS, Unix): every store connection is one. */
  sockets: z.number().int().min(0),
  /** Open file descriptors (Linux only). */
  fds: z.number().int().min(0).optional(),
});
export type ResourcePoint = z.infer<typeof resourcePointSchema>;

export const operationResultSchema = z.object({
  name: z.string().min(1),
  count: z.number().int().min(0),
  /** Successful operations per second over the measure phase. */
  throughput: nonNegative,
  /** Error count by error class name (e.g. StoreTimeoutError: 3). */
  errors: z.record(z.string(), z.number().int().min(0)),
  /** Open loop: measured from the intended start (coordinated-omission corrected). Closed loop: service time. */
  latency: histogramSchema,
  /** Open loop only: measured from the actual start (what a naive tool reports). */
  uncorrectedLatency: histogramSchema.optional(),
  series: z.array(seriesPointSchema),
});
export type OperationResult = z.infer<typeof operationResultSchema>;

export const loadModelSchema = z.discriminatedUnion('type', [
  z.object({ type: z.literal('closed'), concurrency: z.number().int().positive() }),
  z.object({
    type: z.literal('open'),
    ratePerSec: z.number().positive(),
    arrival: z.enum(['poisson', 'constant']),
  }),
]);

export const scenarioResultSchema = z.object({
  scenario: z.string().min(1),
  profile: z.string().min(1),
  /** 0-based repeat index (`--repeat N` interleaves profiles: A B A B …). */
  repeat: z.number().int().min(0).default(0),
  status: z.enum(['completed', 'skipped', 'errored', 'incomplete']),
  /** Why skipped / errored / incomplete. */
  reason: z.string().optional(),
  driver: z.enum(['dal', 'http']).default('dal'),
  /** A `--scale` run's data size (the scenario name carries it too: `metrics-query@m`). */
  scale: z.object({ name: z.string().min(1), factor: z.number().positive() }).optional(),
  loadModel: loadModelSchema.optional(),
  /** `--reuse-data`: the dataset measured on (its id's first 12 hex digits) and whether it was reused. */
  dataset: z.object({ id: z.string().regex(/^[0-9a-f]{12}$/), reused: z.boolean() }).optional(),
  durationMs: nonNegative,
  operations: z.array(operationResultSchema),
  /**
   * Raw counters: cacheHits, cacheMisses, cacheErrors, redisKeyspaceHits, redisKeyspaceMisses,
   * staleReads, lostWrites, duplicateWrites, outboxRetries, outboxDeadLetters, lateStarts, ...
   */
  counters: z.record(z.string(), z.number().finite()),
  /** Derived scalar metrics budgets read by name: cacheHitRatio, crossStoreOverheadP50Ms, ... */
  metrics: z.record(z.string(), z.number().finite()),
  /** Named latency-like distributions that are not operations, e.g. consistencyLag (µs). */
  distributions: z.record(z.string(), histogramSchema).default({}),
  /**
   * Open loop only: how late the generator started each operation against its schedule (µs), the
   * instrument's own error, so a report can tell when it — not the store — sets the tail.
   */
  schedulingLag: histogramSchema.optional(),
  /** `run --faults`: each fault step as applied during the measure phase (ms from its start). */
  faults: z
    .array(
      z.object({
        step: z.string(),
        store: z.string(),
        action: z.string(),
        startedMs: nonNegative.optional(),
        endedMs: nonNegative.optional(),
        error: z.string().optional(),
      }),
    )
    .optional(),
  /** The harness's heap, RSS, sockets and descriptors each second of the measure phase. */
  resources: z.array(resourcePointSchema).optional(),
  warnings: z.array(z.string()).default([]),
});
export type ScenarioResult = z.infer<typeof scenarioResultSchema>;

export const storeInfoSchema = z.object({
  kind: z.string(),
  mode: z.enum(['local', 'docker', 'external']),
  url: z.string(),
  serverVersion: z.string(),
  startMs: nonNegative,
  notes: z.array(z.string()),
});

export const verdictSchema = z.object({
  budget: z.string(),
  /** The ADR sentence the budget encodes. */
  claim: z.string().optional(),
  /**
   * pass / fail: judged. inconclusive: the data cannot tell (e.g. a shortfall inside the noise band).
   * not-evaluated: the run cannot support a verdict (errored, too many errors, too few samples).
   * not-in-run: the budget names scenarios or profiles this run did not select (no effect on the exit code).
   */
  status: z.enum(['pass', 'fail', 'inconclusive', 'not-evaluated', 'not-in-run']),
  measured: z.number().nullable(),
  limit: z.number(),
  unit: z.string(),
  margin: z.number().nullable(),
  confidenceInterval: z.tuple([z.number(), z.number()]).optional(),
  confirmation: z.enum(['confirmed', 'not-confirmed', 'not-needed']).optional(),
  message: z.string(),
  /**
   * What the judged runs actually measured where it differs from the ADR (e.g. time-series on
   * partitioned PostgreSQL, not TimescaleDB), from their warnings; absent when nothing differs.
   */
  measuredOn: z.array(z.string()).optional(),
});
export type Verdict = z.infer<typeof verdictSchema>;

const pathOverheadSchema = z.object({
  id: z.string(),
  title: z.string(),
  /** DAL ÷ raw client, median over interleaved rounds. */
  ratio: z.number(),
  /** The ratio judged against the target (net of a declared extra guarantee, or against raw + it) and its interval. */
  judged: z.number(),
  interval: z.tuple([z.number(), z.number()]),
  maxRatio: z.number(),
  status: z.enum(['within', 'unclear', 'over']),
});

/** One store's DAL overhead per path, as `npm run bench:dal` measured it. */
export const storeOverheadSchema = z.object({
  store: z.string(),
  /** Server software, mode and host (or redacted URL for external stores) it was measured on. */
  identity: z.string(),
  measuredAt: z.string(),
  gitRevision: z.string().nullable(),
  paths: z.array(pathOverheadSchema),
});
export type StoreOverhead = z.infer<typeof storeOverheadSchema>;

/** What a run knows of the DAL's own cost on its stores. */
export const runDalOverheadSchema = z.object({
  measured: z.array(storeOverheadSchema),
  /** Per store kind of the run: why no measurement applies. */
  notMeasured: z.record(z.string(), z.string()),
});
export type RunDalOverhead = z.infer<typeof runDalOverheadSchema>;

/** What each profile had of the memory dalbench sizes, and whether the run gave each the same total. */
export const runMemorySchema = z.object({
  /** The largest total of any profile (MiB): what every profile gets when equalised. */
  budgetMb: nonNegative,
  equalised: z.boolean(),
  /** Why not equalised (docker mode, --no-equal-memory, a failed restart). */
  why: z.string().optional(),
  /** How the stores were sized: "sized for scale m", "--store-memory …", "default". */
  basis: z.string(),
  profiles: z.array(
    z.object({
      profile: z.string(),
      postgresSharedBuffersMb: nonNegative.optional(),
      elasticsearchHeapMb: nonNegative.optional(),
      totalMb: nonNegative,
    }),
  ),
});
export type RunMemory = z.infer<typeof runMemorySchema>;

export const runMetadataSchema = z.object({
  id: z.string(),
  startedAt: z.string(),
  finishedAt: z.string(),
  status: z.enum(['complete', 'incomplete']),
  incompleteReason: z.string().optional(),
  seed: z.number().int(),
  git: z.object({ revision: z.string().nullable(), dirty: z.boolean().nullable() }),
  node: z.string(),
  platform: z.string(),
  cpus: z.number().int().positive(),
  cpuModel: z.string(),
  memoryBytes: z.number().positive(),
  /** The fully resolved run config, secrets redacted. */
  config: z.record(z.string(), z.unknown()),
  stores: z.array(storeInfoSchema),
  /** Stores the run asked for that did not come up, with why (e.g. timescaledb: no URL given). */
  unavailableStores: z.record(z.string(), z.string()).optional(),
  /** The DAL's overhead per path on these stores when bench:dal measured them (issue 13). */
  dalOverhead: runDalOverheadSchema.optional(),
  /** Local and docker stores: the memory each profile had (absent for external stores, which keep their own). */
  memory: runMemorySchema.optional(),
  harness: z.object({
    eventLoopDelayP99Ms: nonNegative,
    lateStartShare: z.number().min(0).max(1),
    /** The harness process's peak resident set (MiB) over the whole run, load phases included. */
    peakRssMb: nonNegative.optional(),
    warnings: z.array(z.string()),
  }),
  /** Present when this file is a shard (`--shard i/N`) or a merge of shards. */
  shard: z.object({ index: z.number().int().min(1), count: z.number().int().min(1) }).optional(),
  mergedFrom: z.array(z.object({ id: z.string(), shard: z.string().optional() })).optional(),
});
export type RunMetadata = z.infer<typeof runMetadataSchema>;

export const resultsSchema = z.object({
  kind: z.literal('dalbench-results'),
  schemaVersion: z.literal(RESULTS_SCHEMA_VERSION),
  run: runMetadataSchema,
  scenarios: z.array(scenarioResultSchema),
  verdicts: z.array(verdictSchema).optional(),
});
export type Results = z.infer<typeof resultsSchema>;

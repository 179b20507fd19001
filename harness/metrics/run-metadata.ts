// Every result records its environment: git revision, Node, platform, CPU, memory, seed and the
// resolved config with secrets redacted.
import { execFile } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import os from 'node:os';
import { promisify } from 'node:util';
import { redactConfig, redactUrl } from '../../reference-dal/errors.ts';
import type { StoreEndpoint } from '../provision/provisioner.ts';
import type { RunDalOverhead, RunMetadata } from '../results/schema.ts';
import { defaultOverheadFile, overheadForRun, readOverheadRecords } from './dal-overhead.ts';
import type { Shard } from '../workload/shard.ts';

const run = promisify(execFile);

/** Run metadata without what only the end of the run knows (finish time, status, harness figures). */
export type RunMetadataBase = Omit<RunMetadata, 'finishedAt' | 'status' | 'incompleteReason' | 'harness'>;

export interface CollectMetadataOptions {
  readonly seed: number;
  readonly config: Readonly<Record<string, unknown>>;
  readonly stores?: readonly StoreEndpoint[];
  readonly shard?: Shard;
  readonly startedAt?: Date;
  readonly id?: string;
  /** Directory whose git revision is recorded (default: the working directory). */
  readonly cwd?: string;
  /** bench:dal's per-store record (default: the cache dir's dal-overhead.json). */
  readonly dalOverheadFile?: string;
}

export async function collectRunMetadata(options: CollectMetadataOptions): Promise<RunMetadataBase> {
  const cpus = os.cpus();
  const startedAt = options.startedAt ?? new Date();
  return {
    id: options.id ?? `${startedAt.toISOString().replace(/[:.]/g, '-')}-${randomUUID().slice(0, 8)}`,
    startedAt: startedAt.toISOString(),
    seed: options.seed,
    git: await gitState(options.cwd ?? process.cwd()),
    node: process.version,
    platform: `${process.platform}-${process.arch} ${os.release()}`,
    cpus: Math.max(1, os.availableParallelism?.() ?? cpus.length),
    cpuModel: cpus[0]?.model.trim() ?? 'unknown',
    memoryBytes: os.totalmem(),
    config: redactConfig(options.config) as Record<string, unknown>,
    stores: (options.stores ?? []).map((s) => ({
      kind: s.kind,
      mode: s.mode,
      url: redactUrl(s.url),
      serverVersion: s.serverVersion,
      startMs: s.startMs,
      notes: [...s.notes],
    })),
    ...(options.stores && options.stores.length > 0
      ? { dalOverhead: dalOverheadOf(options.stores, options.dalOverheadFile ?? defaultOverheadFile()) }
      : {}),
    ...(options.shard ? { shard: { ...options.shard } } : {}),
  };
}

/** A broken record must not fail a run: every store then says why it has no figure. */
function dalOverheadOf(stores: readonly StoreEndpoint[], file: string): RunDalOverhead {
  try {
    return overheadForRun(stores, readOverheadRecords(file));
  } catch (error) {
    const reason = `not read: ${(error as Error).message}`;
    return { measured: [], notMeasured: Object.fromEntries(stores.map((s) => [s.kind, reason])) };
  }
}

/** Revision and dirty flag; nulls outside a git checkout or without git (never fails the run). */
export async function gitState(cwd: string): Promise<RunMetadata['git']> {
  try {
    const [{ stdout: revision }, { stdout: status }] = await Promise.all([
      run('git', ['rev-parse', 'HEAD'], { cwd, timeout: 5_000 }),
      run('git', ['status', '--porcelain', '--untracked-files=no'], { cwd, timeout: 5_000 }),
    ]);
    return { revision: revision.trim() || null, dirty: status.trim().length > 0 };
  } catch {
    return { revision: null, dirty: null };
  }
}

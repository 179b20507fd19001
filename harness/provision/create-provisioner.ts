// Choosing a provisioner: the mode a user asked for, with `auto` resolved to docker when an engine
// answers (bounded probe) and local otherwise.
import { detectContainerEngine } from './docker/detect.ts';
import { DockerProvisioner } from './docker-provisioner.ts';
import { ProvisionConfigError } from './errors.ts';
import { ExternalProvisioner } from './external-provisioner.ts';
import { LocalProvisioner, type LocalProvisionerOptions } from './local-provisioner.ts';
import type { StoreMemory } from './store-memory.ts';
import {
  PROVISION_MODES,
  STORE_KINDS,
  type ProvisionedStores,
  type ProvisionMode,
  type Provisioner,
  type StoreKind,
} from './provisioner.ts';

export interface CreateProvisionerOptions {
  readonly local?: LocalProvisionerOptions;
  /** What local and docker stores get (PostgreSQL buffers, Elasticsearch heap); external stores keep theirs. */
  readonly memory?: StoreMemory;
  /** For external mode (and tests): where DALBENCH_*_URL come from; default process.env. */
  readonly env?: NodeJS.ProcessEnv;
  /** Bound on the docker engine probe of `auto`. */
  readonly dockerDetectTimeoutMs?: number;
  readonly log?: (line: string) => void;
}

export async function createProvisioner(
  mode: ProvisionMode,
  options: CreateProvisionerOptions = {},
): Promise<Provisioner> {
  switch (mode) {
    case 'local':
      return new LocalProvisioner(localOptions(options));
    case 'docker':
      return new DockerProvisioner({ memory: options.memory });
    case 'external':
      return new ExternalProvisioner(options.env ?? process.env);
    case 'auto': {
      const engine = await detectContainerEngine(options.dockerDetectTimeoutMs);
      options.log?.(
        engine.available
          ? `auto: container engine answered in ${Math.round(engine.elapsedMs)} ms, using docker`
          : `auto: no container engine (${engine.reason}; ${Math.round(engine.elapsedMs)} ms), using local`,
      );
      return engine.available
        ? new DockerProvisioner({ memory: options.memory })
        : new LocalProvisioner(localOptions(options));
    }
  }
}

function localOptions(options: CreateProvisionerOptions): LocalProvisionerOptions | undefined {
  return options.memory ? { ...options.local, memory: options.memory } : options.local;
}

/** Start `kinds` in `mode`; the result is AsyncDisposable (`await using stores = await provisionStores(...)`). */
export async function provisionStores(
  mode: ProvisionMode,
  kinds: readonly StoreKind[],
  log?: (line: string) => void,
  options: CreateProvisionerOptions = {},
): Promise<ProvisionedStores> {
  const provisioner = await createProvisioner(mode, { ...options, log: log ?? options.log });
  return provisioner.start({ kinds, log: log ?? options.log });
}

/** Validates a mode named by a user (flag or env var `input`). */
export function parseProvisionMode(
  value: string | undefined,
  input: string,
  fallback: ProvisionMode = 'auto',
): ProvisionMode {
  const text = value?.trim();
  if (!text) return fallback;
  if ((PROVISION_MODES as readonly string[]).includes(text)) return text as ProvisionMode;
  throw new ProvisionConfigError(
    input,
    `unknown mode "${text}" (expected one of ${PROVISION_MODES.join(', ')})`,
  );
}

/** Validates a comma-separated list of store kinds ("all" = every kind, "none" = empty). */
export function parseStoreKinds(
  value: string | undefined,
  input: string,
  fallback: readonly StoreKind[] = STORE_KINDS,
): StoreKind[] {
  const text = value?.trim();
  if (!text) return [...fallback];
  if (text === 'all') return [...STORE_KINDS];
  if (text === 'none') return [];
  const kinds = text
    .split(',')
    .map((k) => k.trim())
    .filter(Boolean);
  const unknown = kinds.filter((k) => !(STORE_KINDS as readonly string[]).includes(k));
  if (unknown.length > 0) {
    throw new ProvisionConfigError(
      input,
      `unknown store kind(s) ${unknown.join(', ')} (expected ${STORE_KINDS.join(', ')}, all or none)`,
    );
  }
  return [...new Set(kinds as StoreKind[])];
}

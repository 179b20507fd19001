// The datasets `--reuse-data` keeps on stores that outlive a run (external ones, or `dalbench stores
// up`): what a PostgreSQL server holds, read from each dataset's marker, and dropping one with
// everything it keeps elsewhere (TimescaleDB database, Elasticsearch indices, S3 bucket). Dropping
// builds the dataset's system with an identity that cannot match, so the stale copy goes through the
// same cleanup a changed spec gets: the names are never recomputed here.
import { createHash } from 'node:crypto';
import { canonicalJson } from '../ports/dataset.ts';
import type { DatasetInventory } from './dataset-inventory.ts';
import { loadedDataset } from './profile-dataset.ts';
import { admin } from './profile-databases.ts';
import type { Profile, ProfileStore } from './profile.ts';
import { SystemUnderTest } from './system-under-test.ts';

export interface KeptDataset {
  /** The PostgreSQL database holding its marker. */
  readonly database: string;
  /** 64 hex digits; undefined for a load that never finished (no marker). */
  readonly id: string | undefined;
  readonly profile: string | undefined;
  readonly scenario: string | undefined;
  readonly scale: string | undefined;
  readonly seed: number | undefined;
  readonly loadedAt: Date | undefined;
  readonly inventory: DatasetInventory | undefined;
}

/** A dataset database whose load never finished still ends in its id: `…_ds<12 hex>`. */
const UNFINISHED = /_ds[0-9a-f]{12}$/;

export async function listKeptDatasets(postgresServerUrl: string): Promise<KeptDataset[]> {
  let names: string[] = [];
  await admin('postgres', postgresServerUrl, 'list dalbench databases', async (client) => {
    const rows = await client.query<{ datname: string }>(
      "SELECT datname FROM pg_database WHERE datname LIKE 'dalbench\\_pg\\_%' ORDER BY datname",
    );
    names = rows.rows.map((r) => r.datname);
  });
  const found: KeptDataset[] = [];
  for (const database of names) {
    const kept = await readMarker(postgresServerUrl, database);
    if (kept) found.push(kept);
  }
  return found;
}

async function readMarker(serverUrl: string, database: string): Promise<KeptDataset | undefined> {
  const url = new URL(serverUrl);
  url.pathname = `/${database}`;
  const marker = await loadedDataset(url.toString());
  if (!marker) {
    // A run's own database (named by its run label) is no dataset: only `…_ds<id>` ones are listed.
    if (!UNFINISHED.test(database)) return undefined;
    return {
      database,
      id: undefined,
      profile: undefined,
      scenario: undefined,
      scale: undefined,
      seed: undefined,
      loadedAt: undefined,
      inventory: undefined,
    };
  }
  const harness = parseHarnessPart(marker.identity, database);
  const scale = harness['scale'] as { name?: unknown } | null | undefined;
  return {
    database,
    // The harness part is the request's canonical JSON, whose SHA-256 is the dataset id.
    id: createHash('sha256').update(canonicalJson(harness, 'dataset')).digest('hex'),
    profile: typeof harness['profile'] === 'string' ? harness['profile'] : undefined,
    scenario: typeof harness['scenario'] === 'string' ? harness['scenario'] : undefined,
    scale: typeof scale?.name === 'string' ? scale.name : undefined,
    seed: typeof harness['seed'] === 'number' ? harness['seed'] : undefined,
    loadedAt: marker.loadedAt,
    inventory: marker.inventory,
  };
}

function parseHarnessPart(identity: string, database: string): Record<string, unknown> {
  try {
    const parsed = JSON.parse(identity) as { harness?: unknown };
    if (typeof parsed.harness === 'object' && parsed.harness !== null && !Array.isArray(parsed.harness))
      return parsed.harness as Record<string, unknown>;
  } catch {
    // reported below
  }
  throw new Error(`dataset marker of database ${database}: its identity is not a dalbench dataset identity`);
}

/**
 * Drop `dataset` and everything it keeps. A finished one needs its profile and the profile's stores
 * (its indices and bucket are dropped through the DAL); an unfinished one is only its databases.
 */
export async function dropKeptDataset(
  dataset: KeptDataset,
  stores: {
    readonly profile: Profile | undefined;
    readonly endpoints: Readonly<Partial<Record<ProfileStore, string>>>;
  },
): Promise<void> {
  if (dataset.id === undefined) {
    for (const kind of ['postgres', 'timescaledb'] as const) {
      const server = stores.endpoints[kind];
      if (!server) continue;
      const name =
        kind === 'postgres' ? dataset.database : dataset.database.replace(/^dalbench_pg_/, 'dalbench_ts_');
      await admin(kind, server, `drop database ${name}`, (client) =>
        client.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`),
      );
    }
    return;
  }
  const profile = stores.profile;
  if (!profile) throw new Error(`dataset ${dataset.id.slice(0, 12)}: its profile is unknown`);
  const missing = profile.requires.filter((kind) => !stores.endpoints[kind]);
  if (missing.length > 0) {
    throw new Error(
      `dataset ${dataset.id.slice(0, 12)} of profile ${profile.name}: dropping it needs the profile's stores, and ${missing.join(', ')} ${missing.length === 1 ? 'is' : 'are'} not given`,
    );
  }
  const request = { id: dataset.id, identity: canonicalJson({ dropping: dataset.id }, 'dataset') };
  const sut = await SystemUnderTest.build(profile, {
    endpoints: stores.endpoints,
    runLabel: 'drop',
    dataset: request,
  });
  // Never marked loaded: disposing it drops what the build created again.
  await sut[Symbol.asyncDispose]();
}

// `dalbench datasets list|drop`: the datasets `run --reuse-data` keeps on stores that outlive a run
// (given by DALBENCH_*_URL, e.g. from `dalbench stores up`), and dropping them with everything they
// keep (databases, Elasticsearch indices, S3 bucket). Stores dalbench starts for one run need
// neither: their data goes with them.
import {
  dropKeptDataset,
  listKeptDatasets,
  type KeptDataset,
} from '../../../reference-dal/profiles/kept-datasets.ts';
import { builtInProfiles } from '../../../reference-dal/profiles/builtin-profiles.ts';
import type { Profile, ProfileStore } from '../../../reference-dal/profiles/profile.ts';
import { ValidationError } from '../../../reference-dal/errors.ts';
import { provisionStores } from '../../provision/create-provisioner.ts';
import { STORE_ENV } from '../../provision/external-provisioner.ts';
import { STORE_KINDS } from '../../provision/provisioner.ts';
import { EXIT } from '../../results/exit-codes.ts';
import { loadConfigFile } from '../../run/config.ts';
import type { CliIo, RegisterCommand } from '../io.ts';
import { printError } from '../print-error.ts';

interface DropFlags {
  all?: boolean;
  config?: string;
}

export const registerDatasetsCommand: RegisterCommand = (program, io, setExit) => {
  const datasets = program
    .command('datasets')
    .description('list and drop the datasets `run --reuse-data` kept on your stores');
  const fail = (error: unknown) => setExit(printError(io, 'dalbench datasets', error));
  datasets
    .command('list')
    .description('list kept datasets (profile, scenario, size, seed, when loaded, what they hold)')
    .option('--json', 'one JSON array on stdout')
    .action((flags: { json?: boolean }) => list(io, flags.json ?? false).then(setExit, fail));
  datasets
    .command('drop')
    .description('drop kept datasets by id (a prefix of at least 6 hex digits), or --all')
    .argument('[ids...]', 'dataset ids as `datasets list` prints them')
    .option('--all', 'drop every kept dataset')
    .option('--config <file>', 'dalbench.config.ts defining the profiles of your own datasets')
    .action((ids: string[], flags: DropFlags) => drop(io, ids, flags).then(setExit, fail));
};

/** The stores given by DALBENCH_*_URL; PostgreSQL (where the markers are) is required. */
async function givenStores(io: CliIo) {
  const kinds = STORE_KINDS.filter((kind) => io.env[STORE_ENV[kind]]?.trim());
  if (!kinds.includes('postgres')) {
    throw new ValidationError(
      STORE_ENV.postgres,
      'kept datasets live on stores that outlive a run: give their DALBENCH_*_URL (as `dalbench stores up` prints them), PostgreSQL at least',
    );
  }
  return provisionStores('external', kinds, undefined, { env: io.env });
}

async function list(io: CliIo, json: boolean): Promise<number> {
  await using stores = await givenStores(io);
  const found = await listKeptDatasets(stores.endpoints.postgres!.url);
  if (json) {
    io.out(`${JSON.stringify(found, null, 2)}\n`);
    return EXIT.ok;
  }
  if (found.length === 0) {
    io.out('no kept datasets\n');
    return EXIT.ok;
  }
  const rows = found.map((d) => [
    d.id?.slice(0, 12) ?? '(unfinished)',
    d.profile ?? '-',
    d.scenario ?? '-',
    d.scale ?? '-',
    d.seed === undefined ? '-' : String(d.seed),
    d.loadedAt?.toISOString() ?? '-',
    d.inventory
      ? Object.entries(d.inventory)
          .map(([part, n]) => `${part}=${n}`)
          .join(' ')
      : d.id === undefined
        ? `database ${d.database}, load never finished`
        : '-',
  ]);
  const header = ['id', 'profile', 'scenario', 'size', 'seed', 'loaded', 'holds'];
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)));
  for (const row of [header, ...rows])
    io.out(
      `${row
        .map((cell, i) => cell.padEnd(widths[i]!))
        .join('  ')
        .trimEnd()}\n`,
    );
  return EXIT.ok;
}

async function drop(io: CliIo, ids: readonly string[], flags: DropFlags): Promise<number> {
  if (flags.all && ids.length > 0) throw new ValidationError('--all', 'give ids or --all, not both');
  if (!flags.all && ids.length === 0) throw new ValidationError('ids', 'give the ids to drop, or --all');
  for (const id of ids) {
    if (!/^[0-9a-f]{6,64}$/.test(id))
      throw new ValidationError(
        `dataset id "${id}"`,
        'expected 6 to 64 lowercase hex digits (as `datasets list` prints)',
      );
  }
  const config = await loadConfigFile(flags.config);
  const profiles = new Map<string, Profile>(builtInProfiles());
  for (const p of config?.profiles ?? []) profiles.set(p.name, p);
  await using stores = await givenStores(io);
  const found = await listKeptDatasets(stores.endpoints.postgres!.url);
  const chosen = flags.all ? found : ids.map((id) => pick(found, id));
  const endpoints = Object.fromEntries(
    Object.entries(stores.endpoints).map(([kind, endpoint]) => [kind, endpoint.url]),
  ) as Partial<Record<ProfileStore, string>>;
  for (const dataset of chosen) {
    const profile = dataset.profile === undefined ? undefined : profiles.get(dataset.profile);
    if (dataset.profile !== undefined && !profile) {
      throw new ValidationError(
        `dataset ${dataset.id!.slice(0, 12)}`,
        `its profile "${dataset.profile}" is neither built in nor in the config: give the config that defines it with --config`,
      );
    }
    await dropKeptDataset(dataset, { profile, endpoints });
    io.out(`dropped ${dataset.id?.slice(0, 12) ?? dataset.database}\n`);
  }
  if (chosen.length === 0) io.out('no kept datasets\n');
  return EXIT.ok;
}

function pick(found: readonly KeptDataset[], id: string): KeptDataset {
  // An unfinished load has no marker, only its database name, which ends in the id's first 12 digits.
  const matches = found.filter((d) => (d.id ?? d.database.slice(-12)).startsWith(id));
  if (matches.length === 1) return matches[0]!;
  const known = found.map((d) => d.id?.slice(0, 12) ?? d.database).join(', ') || 'none';
  throw new ValidationError(
    `dataset id "${id}"`,
    matches.length === 0
      ? `no kept dataset has it (kept: ${known})`
      : `it matches ${matches.length} datasets; give more digits`,
  );
}

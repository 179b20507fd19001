// dalbench serve --profile X [--port P]: the realtime-detection and dashboard-reads operations of one
// profile as an HTTP API (node:http, loopback by default) until Ctrl-C.
import { randomInt } from 'node:crypto';
import type { Profile } from '../../../reference-dal/profiles/profile.ts';
import { builtInProfiles } from '../../../reference-dal/profiles/builtin-profiles.ts';
import { builtInScenarios } from '../../../scenarios/index.ts';
import { parseProvisionMode } from '../../provision/create-provisioner.ts';
import { loadConfigFile } from '../../run/config.ts';
import { FlagError } from '../../run/resolve-plan.ts';
import { serveProfile } from '../../run/serve-profile.ts';
import type { RegisterCommand } from '../io.ts';

interface Flags {
  profile: string;
  port?: string;
  host?: string;
  stores?: string;
  seed?: string;
  quick?: boolean;
  config?: string;
}

export const registerServeCommand: RegisterCommand = (program, io) => {
  program
    .command('serve')
    .description("serve one profile's realtime-detection and dashboard-reads operations over HTTP")
    .requiredOption('--profile <name>', 'profile to serve')
    .option('--port <n>', 'port (default 8080; 0 picks a free one)')
    .option('--host <addr>', 'address to bind (default 127.0.0.1)')
    .option('--stores <mode>', 'auto | local | docker | external (default: $DALBENCH_STORES or auto)')
    .option('--seed <n>', 'seed of the loaded data')
    .option('--quick', 'small data sets')
    .option('--config <file>', 'config file (default ./dalbench.config.ts when present)')
    .action(async (flags: Flags) => {
      const config = await loadConfigFile(flags.config);
      const profiles = new Map<string, Profile>(builtInProfiles());
      for (const p of config?.profiles ?? []) profiles.set(p.name, p);
      const profile = profiles.get(flags.profile);
      if (!profile)
        throw new FlagError(
          `--profile: unknown "${flags.profile}" (known: ${[...profiles.keys()].join(', ')})`,
        );
      // A blank value is not 0 (Number('') is): `--port ""` must not bind a random port.
      const port = flags.port === undefined ? 8080 : flags.port.trim() === '' ? NaN : Number(flags.port);
      if (!Number.isInteger(port) || port < 0 || port > 65535)
        throw new FlagError(`--port: expected 0-65535, got "${flags.port}"`);
      const seed =
        flags.seed === undefined
          ? randomInt(0, 2 ** 31 - 1)
          : flags.seed.trim() === ''
            ? NaN
            : Number(flags.seed);
      if (!Number.isSafeInteger(seed) || seed < 0)
        throw new FlagError(`--seed: expected a non-negative integer, got "${flags.seed}"`);
      const controller = new AbortController();
      const stop = () => controller.abort();
      process.once('SIGINT', stop);
      process.once('SIGTERM', stop);
      try {
        await serveProfile({
          profile,
          scenarios: [...builtInScenarios({ size: flags.quick ? 'quick' : 'full' }).values()],
          stores:
            flags.stores !== undefined
              ? parseProvisionMode(flags.stores, '--stores')
              : parseProvisionMode(io.env['DALBENCH_STORES'], 'DALBENCH_STORES'),
          port,
          host: flags.host ?? '127.0.0.1',
          seed,
          signal: controller.signal,
          log: (line) => io.err(`${line}\n`),
        });
      } finally {
        process.removeListener('SIGINT', stop);
        process.removeListener('SIGTERM', stop);
      }
    });
};

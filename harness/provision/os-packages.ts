// Missing server binaries: as root with apt, install them (each package once per provisioner, one apt at a
// time); otherwise fail with an error that says what to install.
import { existsSync } from 'node:fs';
import { ProvisionError } from './errors.ts';
import type { StoreKind } from './provisioner.ts';
import { runCommand } from './run-command.ts';

export class AptInstaller {
  // One apt-get at a time: dpkg holds a lock.
  #queue: Promise<void> = Promise.resolve();
  readonly #done = new Map<string, Promise<void>>();

  constructor(private readonly log: (line: string) => void) {}

  /** Installs `pkg` for `store`, or throws a ProvisionError naming the package when it cannot. */
  install(store: StoreKind, pkg: string): Promise<void> {
    const known = this.#done.get(pkg);
    if (known) return known;
    const canInstall = process.getuid?.() === 0 && existsSync('/usr/bin/apt-get');
    const result: Promise<void> = canInstall
      ? this.#queue.then(
          () => this.#aptInstall(store, pkg),
          () => this.#aptInstall(store, pkg),
        )
      : Promise.reject(
          new ProvisionError(
            store,
            `server binaries not found; install the OS package \`${pkg}\` (e.g. \`sudo apt-get install -y ${pkg}\`), or use --stores docker|external`,
          ),
        );
    this.#queue = result.catch(() => {});
    this.#done.set(pkg, result);
    return result;
  }

  async #aptInstall(store: StoreKind, pkg: string): Promise<void> {
    const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
    this.log(`${store}: binaries missing; apt-get install -y ${pkg}`);
    try {
      await runCommand('apt-get', ['install', '-y', pkg], { env });
    } catch {
      // A stale package index is the usual cause: refresh it once and retry.
      this.log(`${store}: install failed; apt-get update, then retrying`);
      try {
        await runCommand('apt-get', ['update'], { env });
        await runCommand('apt-get', ['install', '-y', pkg], { env });
      } catch (error) {
        throw new ProvisionError(store, `apt-get install -y ${pkg} failed`, { cause: error });
      }
    }
  }
}

// A view of provisioned stores that a nested run may use but not stop: the owner (the command that
// provisioned them) stops them once, after every run and re-run is done.
import type { ProvisionedStores } from '../provision/provisioner.ts';

export function borrowStores(stores: ProvisionedStores): ProvisionedStores {
  // Everything else is delegated: a local run's pids, kill and restart serve `--faults`.
  return Object.create(stores, {
    stop: { value: () => Promise.resolve() },
    [Symbol.asyncDispose]: { value: () => Promise.resolve() },
  }) as ProvisionedStores;
}

// A view of provisioned stores that a nested run may use but not stop: the owner (the command that
// provisioned them) stops them once, after every run and re-run is done.
import type { ProvisionedStores } from '../provision/provisioner.ts';

export function borrowStores(stores: ProvisionedStores): ProvisionedStores {
  return {
    endpoints: stores.endpoints,
    unavailable: stores.unavailable,
    stop: () => Promise.resolve(),
    [Symbol.asyncDispose]: () => Promise.resolve(),
  };
}

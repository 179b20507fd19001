// vitest globalSetup: start the stores the tests need once per run and stop them at the end (also on
// failure and Ctrl-C: the local provisioner's own exit/signal hooks cover what teardown cannot).
// DALBENCH_STORES = auto|local|docker|external (default auto); DALBENCH_TEST_STORES = comma list of kinds
// (default all five; "none" for pure unit runs). In external mode only the stores whose URL is set come up.
import type { TestProject } from 'vitest/node';
import {
  parseProvisionMode,
  parseStoreKinds,
  provisionStores,
} from '../../harness/provision/create-provisioner.ts';
import { ProvisionError } from '../../harness/provision/errors.ts';
import type { ProvidedStores } from './stores.ts';

export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  const mode = parseProvisionMode(process.env['DALBENCH_STORES'], 'DALBENCH_STORES');
  const kinds = parseStoreKinds(process.env['DALBENCH_TEST_STORES'], 'DALBENCH_TEST_STORES');
  const log = (line: string) => void process.stderr.write(`[dalbench stores] ${line}\n`);
  const began = performance.now();
  const stores = await provisionStores(mode, kinds, log);
  try {
    // CI must not silently skip suites: every requested store but TimescaleDB (not installed everywhere)
    // must be up, except in external mode where the user chooses by setting URLs.
    const missing = Object.entries(stores.unavailable).filter(
      ([kind]) => kind !== 'timescaledb' && mode !== 'external',
    );
    if (missing.length > 0) {
      throw new ProvisionError(
        'provisioner',
        `requested stores did not come up: ${missing.map(([kind, why]) => `${kind} (${why})`).join('; ')}`,
      );
    }
    for (const [kind, why] of Object.entries(stores.unavailable)) log(`${kind}: unavailable: ${why}`);
    log(
      `ready in ${Math.round(performance.now() - began)} ms: ${Object.keys(stores.endpoints).join(', ') || 'none'}`,
    );
  } catch (error) {
    await stores.stop();
    throw error;
  }
  const provided: ProvidedStores = {
    endpoints: { ...stores.endpoints },
    unavailable: { ...stores.unavailable },
  };
  project.provide('dalbenchStores', provided);
  return () => stores.stop();
}

// The second client's thread: its own DataAccessLayer (its own PostgreSQL pool) and its own
// CacheManager over its own Redis connection, built from plain data the scenario passes in.
// `readers` loops read experiments through the cache (read-through, as the ADR's readers do) with
// zipfian keys and judge every read against the coherence board. It answers `ready` once every
// loop has completed a read, and stops (closing everything it opened) on `stop`.
import { setTimeout as sleep } from 'node:timers/promises';
import { parentPort, workerData } from 'node:worker_threads';
import { createKeyChooser, keyDistributionSchema } from '../../harness/workload/distributions.ts';
import { Rng } from '../../harness/workload/random.ts';
import { openCacheManager } from '../../reference-dal/profiles/open-cache-manager.ts';
import { defaultBackendFactories } from '../../reference-dal/dal/backend-factories.ts';
import { DataAccessLayer } from '../../reference-dal/dal/data-access-layer.ts';
import { withAtomicCacheWrites } from '../../reference-dal/profiles/system-under-test.ts';
import { CoherenceBoard } from './coherence-board.ts';
import { secondClientSetupSchema, type SecondClientMessage } from './second-client-protocol.ts';

const port = parentPort;
if (!port) throw new Error('second-client-worker.ts runs as a worker thread (see second-client.ts)');
const setup = secondClientSetupSchema.parse((workerData as { setup?: unknown }).setup);
const post = (message: SecondClientMessage) => port.postMessage(message);
const describe = (error: unknown) =>
  error instanceof Error ? `${error.name}: ${error.message}` : String(error);

const stopping = new AbortController();
port.on('message', (message: { type?: string }) => {
  if (message.type === 'stop') stopping.abort();
});

/** Read until told to stop; resolves after everything it opened is closed. */
async function run(): Promise<void> {
  // The same backends as the profile's own DAL (wraps aside: they are code, not data).
  await using dal = await DataAccessLayer.initialize(setup.configs, {
    factories: withAtomicCacheWrites(defaultBackendFactories()),
  });
  // Without a cache (a profile that has none) the readers read the transactional store directly.
  await using cache = setup.cache ? await openCacheManager(dal.cacheStore, setup.cache) : undefined;
  const load = async (id: string) => {
    const row = await dal.metadata.experiments.get(id);
    if (setup.loadDelayMs > 0) await sleep(setup.loadDelayMs);
    return row;
  };
  const board = CoherenceBoard.open(setup.board);
  const chooser = createKeyChooser(keyDistributionSchema.parse(setup.keys));
  let started = 0;
  let reported = false;
  const reader = async (index: number) => {
    const rng = Rng.at(setup.seed, index);
    let first = true;
    while (!stopping.signal.aborted) {
      const key = chooser.next(rng, board.keys);
      const id = `${setup.idPrefix}${key}`;
      // Before the read begins: the newest version acknowledged so far is the least it may return.
      const required = board.required(key);
      try {
        const found = cache
          ? await cache.getOrLoad(cache.key(setup.namespace, id), () => load(id))
          : await load(id);
        if (!found) throw new Error(`${id} missing from the transactional store`);
        board.add('reads');
        if (found.version < required) board.add('staleReads');
      } catch (error) {
        board.add('errors');
        if (!reported) post({ type: 'error', message: describe(error) });
        reported = true;
      }
      if (first) {
        first = false;
        if (++started === setup.readers) post({ type: 'ready' });
      }
    }
  };
  await Promise.all(Array.from({ length: setup.readers }, (_, i) => reader(i)));
}

try {
  await run();
  post({ type: 'stopped' });
} catch (error) {
  post({ type: 'failed', message: describe(error) });
} finally {
  // Nothing else keeps the thread alive once the pool and connection are closed: it exits.
  port.unref();
}

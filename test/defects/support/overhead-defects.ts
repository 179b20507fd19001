// Profiles for the cross-store overhead, built from the polyglot profile with service wrappers. The
// stores here share two busy cores with everything else, so a request's parts are bound by CPU, not
// by the network, and run no faster in parallel than in sequence. `remote(ms)` puts the stores that
// far away (a timer before each call: waiting, no CPU), as they are in a deployment; on top of it:
// - one store at a time: one mutex shared by every store's service, so a request that fans out to
//   three stores runs its parts one after another (what a DAL with one connection, or one lock, does);
// - ping first: every call is preceded by a round trip to the same store (a DAL that validates its
//   connection before each use).
import type { StorageType } from '../../../reference-dal/config/storage-config.ts';
import type { StorageServices } from '../../../reference-dal/dal/services.ts';
import { polyglotProfile } from '../../../reference-dal/profiles/builtin-profiles.ts';
import {
  defineProfile,
  type Profile,
  type ServiceWrappers,
} from '../../../reference-dal/profiles/profile.ts';

/** The port calls a wrapper decorates (others, e.g. cleanup helpers and getters, pass through). */
const PORT_CALLS: Readonly<Record<Exclude<StorageType, 'transactional'>, readonly string[]>> = {
  timeseries: ['saveMetrics', 'queryMetrics', 'readPoints', 'countPoints'],
  document: ['index', 'bulkIndex', 'get', 'delete', 'search', 'refresh', 'count'],
  object: ['put', 'get', 'getStream', 'head', 'delete', 'list', 'presignGet'],
  cache: ['get', 'mget', 'set', 'del', 'ping', 'serverStats'],
};

type Around = (call: () => Promise<unknown>) => Promise<unknown>;

/** `service` with its port calls run through `around`. */
function decorate<T extends object>(service: T, calls: readonly string[], around: Around): T {
  const names = new Set(calls);
  return new Proxy(service, {
    get(target, property) {
      const value: unknown = Reflect.get(target, property, target);
      if (typeof value !== 'function') return value;
      const method = value as (...args: unknown[]) => Promise<unknown>;
      if (typeof property !== 'string' || !names.has(property)) return method.bind(target);
      return (...args: unknown[]) => around(() => method.apply(target, args));
    },
  });
}

/** Calls run one at a time, in arrival order. */
class Mutex {
  #tail: Promise<unknown> = Promise.resolve();
  run<T>(call: () => Promise<T>): Promise<T> {
    const result = this.#tail.then(call);
    this.#tail = result.catch(() => undefined);
    return result;
  }
}

/** One round trip to the store behind each service. */
const PINGS: { readonly [T in keyof typeof PORT_CALLS]: (service: StorageServices[T]) => Promise<unknown> } =
  {
    timeseries: (s) => s.readPoints('dalbench.ping', new Date(0), new Date(1)),
    document: (s) => {
      const health = (s as { health?: () => Promise<unknown> }).health;
      return health ? health.call(s) : s.count('dalbench-ping');
    },
    object: (s) => s.head('dalbench-ping'),
    cache: (s) => s.ping(),
  };

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/** Every port call of every store decorated by `around(type, service)`. */
function wrapAll(
  around: <T extends keyof typeof PORT_CALLS>(type: T, service: StorageServices[T]) => Around,
): ServiceWrappers {
  return {
    timeseries: (s) => decorate(s, PORT_CALLS.timeseries, around('timeseries', s)),
    document: (s) => decorate(s, PORT_CALLS.document, around('document', s)),
    object: (s) => decorate(s, PORT_CALLS.object, around('object', s)),
    cache: (s) => decorate(s, PORT_CALLS.cache, around('cache', s)),
  };
}

export type OverheadDefect = 'none' | 'one-at-a-time' | 'ping-first';

/** Polyglot with its stores `rttMs` away, and the given defect. */
export function remoteProfile(rttMs: number, defect: OverheadDefect): Profile {
  return defineProfile({
    name: defect === 'none' ? 'overhead-remote' : `overhead-remote-${defect}`,
    description: `polyglot with every store ${rttMs} ms away${defect === 'none' ? '' : `; defect: ${defect}`}`,
    requires: [...polyglotProfile.requires],
    optional: [...polyglotProfile.optional],
    storage(env) {
      // One mutex per built system (storage() runs once per build), shared by all of its stores.
      const mutex = new Mutex();
      const wrap = wrapAll((type, service) => {
        const trip = async <R>(call: () => Promise<R>) => (await sleep(rttMs), call());
        const ping = () => trip(() => PINGS[type](service));
        if (defect === 'one-at-a-time') return (call) => mutex.run(() => trip(call));
        if (defect === 'ping-first') return async (call) => (await ping(), trip(call));
        return (call) => trip(call);
      });
      return { ...polyglotProfile.storage(env), wrap };
    },
  });
}

/**
 * Polyglot recording into `probe` the most time-series, search and object reads in flight at once
 * (reads only: loading and cleanup write and delete in batches of their own).
 */
export function overlapProbeProfile(probe: { inFlight: number; maxInFlight: number }): Profile {
  const reads = new Set(['queryMetrics', 'readPoints', 'search', 'get', 'getStream']);
  const count: Around = async (call) => {
    probe.maxInFlight = Math.max(probe.maxInFlight, ++probe.inFlight);
    try {
      return await call();
    } finally {
      probe.inFlight--;
    }
  };
  const probed = <T extends object>(service: T, calls: readonly string[]) =>
    decorate(
      service,
      calls.filter((c) => reads.has(c)),
      count,
    );
  return defineProfile({
    name: 'overlap-probe',
    description: 'polyglot, counting the time-series, search and object reads in flight at once',
    requires: [...polyglotProfile.requires],
    optional: [...polyglotProfile.optional],
    storage(env) {
      const wrap: ServiceWrappers = {
        timeseries: (s) => probed(s, PORT_CALLS.timeseries),
        document: (s) => probed(s, PORT_CALLS.document),
        object: (s) => probed(s, PORT_CALLS.object),
      };
      return { ...polyglotProfile.storage(env), wrap };
    },
  });
}

// `local` mode: real servers as direct children on free ports in one fresh temp dir, stopped and removed
// on stop(), process exit, SIGINT and SIGTERM; a crashed run's leftovers are reaped at the next start.
// postgres and timescaledb share one PostgreSQL server, as in docker mode: timescaledb is available when
// TimescaleDB is installed for that PostgreSQL (then preloaded), and says why not otherwise.
import { DEFAULT_STORE_MEMORY, type StoreMemory } from './store-memory.ts';
import { AptInstaller } from './os-packages.ts';
import { defaultCacheDir } from './artifact-cache.ts';
import { installCleanupHooks, type CleanupHooks } from './cleanup-hooks.ts';
import { ProvisionError } from './errors.ts';
import type { LocalContext, LocalStore, LocalTls } from './local/context.ts';
import { DEFAULT_ES_VERSION, startLocalElasticsearch } from './local/elasticsearch.ts';
import { detectLocalTimescale, startLocalPostgres, type LocalPostgres } from './local/postgres.ts';
import { startLocalRedis } from './local/redis.ts';
import { startLocalS3Proxy } from './local/s3proxy.ts';
import { howToGetTimescale } from './local/timescale-detect.ts';
import type {
  ProvisionedStores,
  ProvisionRequest,
  Provisioner,
  StoreEndpoint,
  StoreKind,
} from './provisioner.ts';
import { serverPort } from './free-port.ts';
import { reapStaleRunDirs } from './reaper.ts';
import { RunDir } from './run-dir.ts';
import { removeEmptyPerfDataDir, resolveRunUser, type RunUser } from './run-user.ts';
import type { ServerProcess } from './server-process.ts';
import { timescaleVersion } from './server-version.ts';

export interface LocalProvisionerOptions {
  /** Where Maven artifacts are cached and unpacked; default `$XDG_CACHE_HOME/dalbench` or `~/.cache/dalbench`. */
  readonly cacheDir?: string;
  /** Elasticsearch version from Maven Central (default 9.2.4; 8.19.21 runs on JDK 17). */
  readonly esVersion?: string;
  /** Bound on each store's readiness wait; default per store (30 s postgres/redis, 60 s S3Proxy, 120 s ES). */
  readonly readyTimeoutMs?: number;
  /** Parent of the run's temp dir; default os.tmpdir(). */
  readonly tmpParent?: string;
  /** How long a server gets to stop cleanly before SIGKILL. */
  readonly stopGraceMs?: number;
  /**
   * The bin dir of the PostgreSQL to run (its initdb, postgres and pg_config); default the newest installed
   * (pg_config's, else /usr/lib/postgresql/N/bin). TimescaleDB is looked for in that installation.
   */
  readonly postgresBinDir?: string;
  /**
   * Serve PostgreSQL and Redis over TLS only, with this certificate; their URLs then ask for verified TLS
   * (`sslmode=verify-full`, `rediss://`) and trust `caFile`. Elasticsearch and S3Proxy stay plaintext.
   */
  readonly tls?: LocalTls;
  /** PostgreSQL's shared_buffers/work_mem and Elasticsearch's heap; default DEFAULT_STORE_MEMORY. */
  readonly memory?: StoreMemory;
  /** Picks each server's ports; default serverPort (free, outside the ephemeral range). */
  readonly serverPort?: (store: StoreKind) => Promise<number>;
}

/** Local stores also expose their processes, so a caller (or test) can see a server that died. */
export interface LocalProvisionedStores extends ProvisionedStores {
  readonly memory: StoreMemory;
  resizePostgres(postgres: StoreMemory['postgres']): Promise<boolean>;
  readonly runDir: string;
  readonly sessionId: string;
  /**
   * Process-group leader pid of each server (the current one, after a restart). timescaledb has none of its
   * own: it is the postgres server, and kill/restart of either kind act on that server.
   */
  readonly pids: Readonly<Partial<Record<StoreKind, number>>>;
  /** Servers that exited without stop() or kill() asking them to, and how ("killed by SIGKILL"). */
  unexpectedExits(): Partial<Record<StoreKind, string>>;
  /**
   * Crash one server on purpose (outage tests): `signal` to its whole process group, resolved once every
   * process of it is gone (ports and locks free). Its data directory stays, for restart().
   */
  kill(kind: StoreKind, signal?: NodeJS.Signals): Promise<void>;
  /**
   * Start the server of `kind` again on the same port with the same data directory (stopping it cleanly first
   * if it still runs) and wait until it is ready. Cleanup ownership moves to the new process.
   */
  restart(kind: StoreKind): Promise<void>;
}

type Starter = (ctx: LocalContext) => Promise<LocalStore>;

// postgres (and timescaledb) start through startPostgres in start(): one server for both kinds.
const STARTERS: Readonly<Record<Exclude<StoreKind, 'postgres' | 'timescaledb'>, Starter>> = {
  redis: startLocalRedis,
  elasticsearch: startLocalElasticsearch,
  s3: startLocalS3Proxy,
};

/** The server process behind a kind: timescaledb is served by the postgres server. */
function serverKind(kind: StoreKind): Exclude<StoreKind, 'timescaledb'> {
  return kind === 'timescaledb' ? 'postgres' : kind;
}

export class LocalProvisioner implements Provisioner {
  readonly mode = 'local' as const;
  constructor(private readonly options: LocalProvisionerOptions = {}) {}

  async start(request: ProvisionRequest): Promise<LocalProvisionedStores> {
    const log = request.log ?? (() => {});
    await reapStaleRunDirs(this.options.tmpParent, log);
    const runDir = RunDir.create(this.options.tmpParent);
    const servers = new Map<StoreKind, ServerProcess>();
    const started = new Map<StoreKind, LocalStore>();
    let stopping: Promise<void> | undefined;
    let user: RunUser | undefined;
    const stopSync = () => {
      for (const server of servers.values()) server.killSync();
      runDir.removeSync();
      if (user) removeEmptyPerfDataDir(user);
    };
    const stop = (): Promise<void> =>
      (stopping ??= (async () => {
        const grace = this.options.stopGraceMs ?? 10_000;
        try {
          await Promise.all([...servers.values()].map((server) => server.stop(grace)));
        } finally {
          runDir.removeSync();
          if (user && servers.has('elasticsearch')) removeEmptyPerfDataDir(user);
          hooks.remove();
          request.signal?.removeEventListener('abort', onAbort);
        }
      })());
    const onAbort = () => void stop();
    const hooks: CleanupHooks = installCleanupHooks(stop, stopSync);
    request.signal?.addEventListener('abort', onAbort, { once: true });

    const endpoints: Partial<Record<StoreKind, StoreEndpoint>> = {};
    const unavailable: Partial<Record<StoreKind, string>> = {};
    // One PostgreSQL for postgres and timescaledb, started once whichever asks first.
    let postgres: Promise<LocalPostgres> | undefined;
    const memory = this.options.memory ?? DEFAULT_STORE_MEMORY;
    let postgresSizes = memory.postgres; // what the running PostgreSQL was started with
    try {
      const kinds = [...new Set(request.kinds)];
      user = await resolveRunUser(log);
      const ctx: LocalContext = {
        runDir,
        user,
        apt: new AptInstaller(log),
        cacheDir: this.options.cacheDir ?? defaultCacheDir(),
        esVersion: this.options.esVersion ?? DEFAULT_ES_VERSION,
        readyTimeoutMs: this.options.readyTimeoutMs,
        serverPort: this.options.serverPort ?? (() => serverPort()),
        tls: this.options.tls,
        memory,
        log,
        signal: request.signal,
        track: (server) => {
          const previous = servers.get(server.store);
          servers.set(server.store, server);
          runDir.addChild(server.pid);
          if (previous && previous.pid !== server.pid) runDir.removeChild(previous.pid);
          void server.exited.then(() => {
            if (server.exitedUnexpectedly)
              log(
                `${server.store}: server exited unexpectedly (${server.describeExit()}); see ${server.logFile}`,
              );
          });
        },
      };
      const failures: ProvisionError[] = [];
      const began = performance.now();
      const binDir = this.options.postgresBinDir;
      const startPostgres = () => (postgres ??= startLocalPostgres(ctx, binDir));
      const startTimescale = async () => {
        if (!kinds.includes('postgres')) {
          // Start a PostgreSQL only for timescaledb when it can serve as one.
          const detected = await detectLocalTimescale(binDir);
          if (!detected?.installed) {
            unavailable.timescaledb =
              detected?.reason ??
              `timescaledb: no local PostgreSQL to load it into; ${howToGetTimescale(undefined)}`;
            return;
          }
        }
        let store: LocalPostgres;
        try {
          store = await startPostgres();
        } catch (error) {
          // The PostgreSQL failed: reported once, by postgres when it was asked for, else by timescaledb.
          if (kinds.includes('postgres')) return;
          throw error;
        }
        started.set('postgres', store);
        if (!store.timescale.installed) {
          unavailable.timescaledb = store.timescale.reason;
          return;
        }
        const serverVersion = await timescaleVersion(store.url);
        const startMs = Math.round(performance.now() - began);
        endpoints.timescaledb = {
          kind: 'timescaledb',
          mode: 'local',
          startMs,
          url: store.url,
          serverVersion,
          notes: [...store.notes, 'the same server as postgres (profile databases are named per kind)'],
        };
        log(`timescaledb: ${serverVersion} ready in ${startMs} ms (the postgres server)`);
      };
      await Promise.all(
        kinds.map(async (kind) => {
          try {
            if (kind === 'timescaledb') return await startTimescale();
            const starter = kind === 'postgres' ? startPostgres : STARTERS[kind];
            const { relaunch, ...store } = await starter(ctx);
            started.set(kind, { relaunch, ...store });
            const startMs = Math.round(performance.now() - began);
            endpoints[kind] = {
              kind,
              mode: 'local',
              startMs,
              url: store.url,
              serverVersion: store.serverVersion,
              notes: store.notes,
            };
            log(`${kind}: ${store.serverVersion} ready in ${startMs} ms`);
          } catch (error) {
            failures.push(
              error instanceof ProvisionError
                ? error
                : new ProvisionError(kind, 'failed to start', { cause: error }),
            );
          }
        }),
      );
      if (failures.length > 0) {
        throw new ProvisionError(
          'provisioner',
          `local mode: ${failures.length} store(s) failed to start:\n${failures.map((f) => `  ${f.message.split('\n').join('\n  ')}`).join('\n')}`,
          { cause: failures.length === 1 ? failures[0] : new AggregateError(failures) },
        );
      }
    } catch (error) {
      await stop();
      throw error;
    }

    const serverOf = (requested: StoreKind, what: string): ServerProcess => {
      const kind = serverKind(requested);
      const server = servers.get(kind);
      if (!server || !started.has(kind) || !endpoints[requested])
        throw new ProvisionError(kind, `${what}: not started by this provisioner`);
      if (stopping) throw new ProvisionError(kind, `${what}: the stores are stopping`);
      return server;
    };
    const grace = this.options.stopGraceMs ?? 10_000;
    /** Stop the server if it still runs and start it again on its port and data directory. */
    const relaunch = async (kind: StoreKind, server: ServerProcess, detail = ''): Promise<void> => {
      if (server.exitInfo === undefined) await server.stop(grace);
      const began = performance.now();
      await started.get(serverKind(kind))?.relaunch();
      log(`${kind}: restarted${detail} in ${Math.round(performance.now() - began)} ms`);
    };
    return {
      endpoints,
      unavailable,
      runDir: runDir.path,
      sessionId: runDir.sessionId,
      get pids() {
        return Object.fromEntries([...servers].map(([kind, server]) => [kind, server.pid]));
      },
      kill: async (kind, signal = 'SIGKILL') => {
        await serverOf(kind, 'kill').kill(signal);
        log(`${kind}: killed on request (${signal})`);
      },
      // async: a refused restart (not started, stopping) rejects rather than throwing at the call.
      restart: async (kind) => relaunch(kind, serverOf(kind, 'restart')),
      memory,
      resizePostgres: async (sizes) => {
        const server = serverOf('postgres', 'resize');
        const same =
          postgresSizes.sharedBuffersMb === sizes.sharedBuffersMb &&
          postgresSizes.workMemMb === sizes.workMemMb;
        if (same && server.exitInfo === undefined) return false;
        (await postgres)?.setMemory(sizes);
        postgresSizes = sizes;
        await relaunch(
          'postgres',
          server,
          ` with shared_buffers ${sizes.sharedBuffersMb} MiB, work_mem ${sizes.workMemMb} MiB`,
        );
        return true;
      },
      unexpectedExits: () =>
        Object.fromEntries(
          [...servers]
            .filter(([, server]) => server.exitedUnexpectedly)
            .map(([kind, server]) => [kind, server.describeExit() ?? 'exited']),
        ),
      stop,
      [Symbol.asyncDispose]: stop,
    };
  }
}

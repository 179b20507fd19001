// `docker` mode: the ADR stack through testcontainers (TimescaleDB serves both postgres and timescaledb,
// Redis, Elasticsearch single-node with security off, MinIO), each container labelled with a session id.
// Not run on the machine this was written on (no engine there); kept typed and built.
import {
  DEFAULT_STORE_MEMORY,
  elasticsearchHeapOptions,
  memoryNote,
  postgresMemorySettings,
  type StoreMemory,
} from './store-memory.ts';
import { randomBytes, randomUUID } from 'node:crypto';
import type { StartedTestContainer } from 'testcontainers';
import { detectContainerEngine } from './docker/detect.ts';
import { DOCKER_IMAGES, SESSION_LABEL } from './docker/images.ts';
import { ProvisionError } from './errors.ts';
import type {
  ProvisionedStores,
  ProvisionRequest,
  Provisioner,
  StoreEndpoint,
  StoreKind,
} from './provisioner.ts';
import { formatS3Url } from './s3-url.ts';
import {
  elasticsearchVersion,
  postgresVersion,
  redisVersion,
  s3Version,
  timescaleVersion,
} from './server-version.ts';

interface Started {
  readonly url: string;
  readonly notes: readonly string[];
  readonly container: StartedTestContainer;
}

type Labels = Record<string, string>;

async function startTimescale(labels: Labels, memory: StoreMemory): Promise<Started> {
  const { PostgreSqlContainer } = await import('@testcontainers/postgresql');
  const container = await new PostgreSqlContainer(DOCKER_IMAGES.timescaledb)
    .withUsername('postgres')
    .withPassword(randomBytes(12).toString('hex'))
    .withDatabase('postgres')
    // The image's entrypoint passes a `postgres …` command through, as the official postgres image does.
    .withCommand(['postgres', ...postgresMemorySettings(memory).flatMap((s) => ['-c', s])])
    .withLabels(labels)
    .start();
  return {
    url: container.getConnectionUri(),
    notes: [`image ${DOCKER_IMAGES.timescaledb}`, memoryNote('postgres', memory)],
    container,
  };
}

async function startRedis(labels: Labels): Promise<Started> {
  const { GenericContainer, Wait } = await import('testcontainers');
  const container = await new GenericContainer(DOCKER_IMAGES.redis)
    .withCommand(['redis-server', '--save', '', '--appendonly', 'no'])
    .withExposedPorts(6379)
    .withLabels(labels)
    .withWaitStrategy(Wait.forLogMessage(/Ready to accept connections/))
    .start();
  return {
    url: `redis://${container.getHost()}:${container.getMappedPort(6379)}`,
    notes: [`image ${DOCKER_IMAGES.redis}, no persistence`],
    container,
  };
}

async function startElasticsearch(labels: Labels, memory: StoreMemory): Promise<Started> {
  const { GenericContainer, Wait } = await import('testcontainers');
  const container = await new GenericContainer(DOCKER_IMAGES.elasticsearch)
    .withEnvironment({
      'discovery.type': 'single-node',
      'xpack.security.enabled': 'false',
      'cluster.routing.allocation.disk.threshold_enabled': 'false',
      ES_JAVA_OPTS: elasticsearchHeapOptions(memory),
    })
    .withExposedPorts(9200)
    .withLabels(labels)
    .withWaitStrategy(
      Wait.forHttp('/_cluster/health?wait_for_status=yellow&timeout=1s', 9200).forStatusCode(200),
    )
    .withStartupTimeout(180_000)
    .start();
  return {
    url: `http://${container.getHost()}:${container.getMappedPort(9200)}`,
    notes: [`image ${DOCKER_IMAGES.elasticsearch}`, memoryNote('elasticsearch', memory)],
    container,
  };
}

async function startMinio(labels: Labels): Promise<Started> {
  const { GenericContainer, Wait } = await import('testcontainers');
  const accessKeyId = `dalbench${randomBytes(4).toString('hex')}`;
  const secretAccessKey = randomBytes(18).toString('base64url');
  const container = await new GenericContainer(DOCKER_IMAGES.minio)
    .withCommand(['server', '/data'])
    .withEnvironment({ MINIO_ROOT_USER: accessKeyId, MINIO_ROOT_PASSWORD: secretAccessKey })
    .withExposedPorts(9000)
    .withLabels(labels)
    .withWaitStrategy(Wait.forHttp('/minio/health/ready', 9000).forStatusCode(200))
    .start();
  const endpoint = `http://${container.getHost()}:${container.getMappedPort(9000)}`;
  return {
    url: formatS3Url({ endpoint, accessKeyId, secretAccessKey, region: 'us-east-1' }),
    notes: [`image ${DOCKER_IMAGES.minio}`],
    container,
  };
}

const VERSION: Readonly<Record<StoreKind, (url: string) => Promise<string>>> = {
  postgres: postgresVersion,
  timescaledb: timescaleVersion,
  redis: redisVersion,
  elasticsearch: (url) => elasticsearchVersion(url),
  s3: (url) => s3Version(url),
};

export class DockerProvisioner implements Provisioner {
  readonly mode = 'docker' as const;
  readonly #memory: StoreMemory;

  /** `memory`: PostgreSQL's shared_buffers/work_mem and Elasticsearch's heap (default DEFAULT_STORE_MEMORY). */
  constructor(options: { readonly memory?: StoreMemory } = {}) {
    this.#memory = options.memory ?? DEFAULT_STORE_MEMORY;
  }

  async start(request: ProvisionRequest): Promise<ProvisionedStores> {
    const log = request.log ?? (() => {});
    const engine = await detectContainerEngine();
    if (!engine.available) {
      throw new ProvisionError(
        'provisioner',
        `docker mode: no container engine answers (${engine.reason}); use --stores local`,
      );
    }
    const sessionId = randomUUID();
    const labels = { [SESSION_LABEL]: sessionId };
    const containers: StartedTestContainer[] = [];
    let stopping: Promise<void> | undefined;
    const stop = (): Promise<void> =>
      (stopping ??= Promise.all(containers.map((c) => c.stop({ remove: true }))).then(() => undefined));
    const kinds = [...new Set(request.kinds)];
    const endpoints: Partial<Record<StoreKind, StoreEndpoint>> = {};
    // postgres and timescaledb share one TimescaleDB container (a PostgreSQL with the extension).
    let timescale: Promise<Started> | undefined;
    const starters: Record<StoreKind, () => Promise<Started>> = {
      postgres: () => (timescale ??= startTimescale(labels, this.#memory)),
      timescaledb: () => (timescale ??= startTimescale(labels, this.#memory)),
      redis: () => startRedis(labels),
      elasticsearch: () => startElasticsearch(labels, this.#memory),
      s3: () => startMinio(labels),
    };
    try {
      const results = await Promise.allSettled(
        kinds.map(async (kind) => {
          const began = performance.now();
          const started = await starters[kind]();
          if (!containers.includes(started.container)) containers.push(started.container);
          const serverVersion = await VERSION[kind](started.url);
          const startMs = Math.round(performance.now() - began);
          endpoints[kind] = {
            kind,
            mode: 'docker',
            url: started.url,
            serverVersion,
            startMs,
            notes: started.notes,
          };
          log(`${kind}: ${serverVersion} ready in ${startMs} ms (docker, session ${sessionId})`);
        }),
      );
      const failures = results.flatMap((r, i) =>
        r.status === 'rejected' ? [{ kind: kinds[i], reason: r.reason as unknown }] : [],
      );
      if (failures.length > 0) {
        throw new ProvisionError(
          'provisioner',
          `docker mode: ${failures.map((f) => f.kind).join(', ')} failed to start`,
          {
            cause:
              failures.length === 1 ? failures[0]?.reason : new AggregateError(failures.map((f) => f.reason)),
          },
        );
      }
    } catch (error) {
      await stop();
      throw error;
    }
    return { endpoints, unavailable: {}, memory: this.#memory, stop, [Symbol.asyncDispose]: stop };
  }
}

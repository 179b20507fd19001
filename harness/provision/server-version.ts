// One real round trip per store that also says what the server is; used for readiness and for reports.
import { ListBucketsCommand, S3Client } from '@aws-sdk/client-s3';
import { Client } from '@elastic/elasticsearch';
import pg from 'pg';
import { parseS3Url } from './s3-url.ts';
import { pgConnection } from '../../reference-dal/sql/connection.ts';
import { elasticsearchConnection } from '../../reference-dal/config/elasticsearch-connection.ts';
import { parseS3Endpoint } from '../../reference-dal/config/s3-endpoint.ts';
import { newRedisClient } from '../../reference-dal/config/redis-client.ts';

const ROUND_TRIP_TIMEOUT_MS = 5_000;

/**
 * A one-shot client. The listener keeps a server that goes away between two awaited calls (a probe
 * of a store being stopped) from crashing the process; the awaited call fails instead.
 */
function probeClient(url: string): pg.Client {
  const client = new pg.Client({ ...pgConnection(url), connectionTimeoutMillis: ROUND_TRIP_TIMEOUT_MS });
  client.on('error', () => undefined);
  return client;
}

/** "PostgreSQL 15.14". */
export async function postgresVersion(url: string): Promise<string> {
  const client = probeClient(url);
  await client.connect();
  try {
    const result = await client.query<{ server_version: string }>('SHOW server_version');
    return `PostgreSQL ${result.rows[0]?.server_version.split(' ')[0] ?? 'unknown'}`;
  } finally {
    await client.end();
  }
}

/** "TimescaleDB 2.17.2 on PostgreSQL 17.2", or the PostgreSQL version alone with a note if the extension is absent. */
export async function timescaleVersion(url: string): Promise<string> {
  const client = probeClient(url);
  await client.connect();
  try {
    const pgVersion = (await client.query<{ server_version: string }>('SHOW server_version')).rows[0]
      ?.server_version;
    const ext = await client.query<{ default_version: string }>(
      "SELECT default_version FROM pg_available_extensions WHERE name = 'timescaledb'",
    );
    const ts = ext.rows[0]?.default_version;
    const base = `PostgreSQL ${pgVersion?.split(' ')[0] ?? 'unknown'}`;
    return ts ? `TimescaleDB ${ts} on ${base}` : `${base} (timescaledb extension not available)`;
  } finally {
    await client.end();
  }
}

/** "Redis 7.0.15". */
export async function redisVersion(url: string): Promise<string> {
  const redis = newRedisClient(url, {
    lazyConnect: true,
    connectTimeout: ROUND_TRIP_TIMEOUT_MS,
    maxRetriesPerRequest: 0,
    retryStrategy: () => null,
    enableOfflineQueue: false,
  });
  // connect() rejects with "Connection is closed"; the socket's own error (a refused certificate) comes
  // to this listener, which also keeps ioredis from printing it.
  let socketError: Error | undefined;
  redis.on('error', (error: Error) => (socketError ??= error));
  try {
    await redis.connect().catch((error: unknown) => {
      throw socketError ?? error;
    });
    const info = await redis.info('server');
    return `Redis ${/^redis_version:(\S+)/m.exec(info)?.[1] ?? 'unknown'}`;
  } finally {
    redis.disconnect();
  }
}

/** "Elasticsearch 9.2.4". Uses _nodes, not GET / (the integ-test archive answers GET / with 405). */
export async function elasticsearchVersion(url: string, signal?: AbortSignal): Promise<string> {
  const client = new Client({
    ...elasticsearchConnection(url),
    requestTimeout: ROUND_TRIP_TIMEOUT_MS,
    maxRetries: 0,
  });
  const options = { signal: signal ?? AbortSignal.timeout(ROUND_TRIP_TIMEOUT_MS) };
  try {
    const health = await client.cluster.health({ wait_for_status: 'yellow', timeout: '1s' }, options);
    if (health.timed_out || health.status === 'red')
      throw new Error(`cluster health ${JSON.stringify(health)}`);
    const nodes = await client.nodes.info({ node_id: '_local', filter_path: 'nodes.*.version' }, options);
    const version = Object.values(nodes.nodes ?? {})[0]?.version;
    return `Elasticsearch ${version ?? 'unknown'}`;
  } finally {
    await client.close();
  }
}

/** ListBuckets with the URL's credentials; the name comes from the Server header ("MinIO", "AmazonS3", ...). */
export async function s3Version(url: string, fallbackName?: string): Promise<string> {
  const s3 = parseS3Url(url);
  const { tls } = parseS3Endpoint(url, 'S3 URL');
  const client = new S3Client({
    endpoint: s3.endpoint,
    region: s3.region,
    credentials: { accessKeyId: s3.accessKeyId, secretAccessKey: s3.secretAccessKey },
    forcePathStyle: true,
    maxAttempts: 1,
    ...(tls?.ca ? { requestHandler: { httpsAgent: { ca: tls.ca } } } : {}),
  });
  let server: string | undefined;
  client.middlewareStack.add(
    (next) => async (args) => {
      const result = await next(args);
      const response = result.response as { headers?: Record<string, string> };
      server = response.headers?.['server'];
      return result;
    },
    { step: 'deserialize', name: 'dalbenchServerHeader' },
  );
  try {
    await client.send(new ListBucketsCommand({}), {
      abortSignal: AbortSignal.timeout(ROUND_TRIP_TIMEOUT_MS),
    });
    return fallbackName ?? (server ? `S3 (${server})` : 'S3 (server unnamed)');
  } finally {
    client.destroy();
  }
}

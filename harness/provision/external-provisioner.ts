// `external` mode: the user's own stores, from environment variables. Each URL is validated (the error names
// the variable) and asked its version with one real round trip; an unset variable means "unavailable".
import { elasticsearchConnection } from '../../reference-dal/config/elasticsearch-connection.ts';
import { parseS3Endpoint } from '../../reference-dal/config/s3-endpoint.ts';
import { certificateProblem, postgresTls, schemeTls } from '../../reference-dal/config/tls.ts';
import { redactUrl, ValidationError } from '../../reference-dal/errors.ts';
import { ProvisionConfigError, ProvisionError } from './errors.ts';
import type {
  ProvisionedStores,
  ProvisionRequest,
  Provisioner,
  StoreEndpoint,
  StoreKind,
} from './provisioner.ts';
import { formatS3Url, parseS3Url } from './s3-url.ts';
import {
  elasticsearchVersion,
  postgresVersion,
  redisVersion,
  s3Version,
  timescaleVersion,
} from './server-version.ts';

export const STORE_ENV: Readonly<Record<StoreKind, string>> = {
  postgres: 'DALBENCH_POSTGRES_URL',
  timescaledb: 'DALBENCH_TIMESCALE_URL',
  redis: 'DALBENCH_REDIS_URL',
  elasticsearch: 'DALBENCH_ELASTICSEARCH_URL',
  s3: 'DALBENCH_S3_URL',
};

const PROTOCOLS: Readonly<Record<StoreKind, readonly string[]>> = {
  postgres: ['postgres:', 'postgresql:'],
  timescaledb: ['postgres:', 'postgresql:'],
  redis: ['redis:', 'rediss:'],
  elasticsearch: ['http:', 'https:'],
  s3: ['http:', 'https:'],
};

const PROBES: Readonly<Record<StoreKind, (url: string) => Promise<string>>> = {
  postgres: postgresVersion,
  timescaledb: timescaleVersion,
  redis: redisVersion,
  elasticsearch: (url) => elasticsearchVersion(url),
  s3: (url) => s3Version(url),
};

/** What each store's URL says about TLS (and, for Elasticsearch, an API key): read to validate it. */
const TLS_SETTINGS: Readonly<Record<StoreKind, (url: string, source: string) => unknown>> = {
  postgres: postgresTls,
  timescaledb: postgresTls,
  redis: (url, source) => schemeTls(url, 'rediss:', source),
  elasticsearch: elasticsearchConnection,
  s3: parseS3Endpoint,
};

/** The URL for `kind` from `env`, validated; undefined when unset. Throws ProvisionConfigError naming the variable. */
export function externalUrl(
  kind: StoreKind,
  env: NodeJS.ProcessEnv,
): { url: string; variable: string } | undefined {
  const target = externalUrlUnchecked(kind, env);
  if (!target) return undefined;
  try {
    TLS_SETTINGS[kind](target.url, target.variable);
  } catch (error) {
    if (!(error instanceof ValidationError)) throw error;
    throw new ProvisionConfigError(error.field, error.message.slice(error.field.length + 2), {
      cause: error,
    });
  }
  return target;
}

function externalUrlUnchecked(
  kind: StoreKind,
  env: NodeJS.ProcessEnv,
): { url: string; variable: string } | undefined {
  if (kind === 's3') return externalS3Url(env);
  const variable = STORE_ENV[kind];
  const value = env[variable]?.trim();
  if (!value) return undefined;
  let url: URL;
  try {
    url = new URL(value);
  } catch (error) {
    throw new ProvisionConfigError(variable, `not a URL: ${redactUrl(value)}`, { cause: error });
  }
  const allowed = PROTOCOLS[kind];
  if (!allowed.includes(url.protocol)) {
    throw new ProvisionConfigError(
      variable,
      `expected a ${allowed.join(' or ')} URL, got ${redactUrl(value)}`,
    );
  }
  if (!url.hostname) throw new ProvisionConfigError(variable, `no host in ${redactUrl(value)}`);
  return { url: value, variable };
}

/** DALBENCH_S3_URL, or DALBENCH_S3_ENDPOINT + _ACCESS_KEY_ID + _SECRET_ACCESS_KEY (+ _REGION). */
function externalS3Url(env: NodeJS.ProcessEnv): { url: string; variable: string } | undefined {
  const single = env['DALBENCH_S3_URL']?.trim();
  if (single) {
    parseS3Url(single, 'DALBENCH_S3_URL');
    return { url: single, variable: 'DALBENCH_S3_URL' };
  }
  const endpoint = env['DALBENCH_S3_ENDPOINT']?.trim();
  if (!endpoint) return undefined;
  const accessKeyId = env['DALBENCH_S3_ACCESS_KEY_ID'];
  const secretAccessKey = env['DALBENCH_S3_SECRET_ACCESS_KEY'];
  if (!accessKeyId)
    throw new ProvisionConfigError('DALBENCH_S3_ACCESS_KEY_ID', 'required when DALBENCH_S3_ENDPOINT is set');
  if (!secretAccessKey) {
    throw new ProvisionConfigError(
      'DALBENCH_S3_SECRET_ACCESS_KEY',
      'required when DALBENCH_S3_ENDPOINT is set',
    );
  }
  let parsed: URL;
  try {
    parsed = new URL(endpoint);
  } catch (error) {
    throw new ProvisionConfigError('DALBENCH_S3_ENDPOINT', `not a URL: ${redactUrl(endpoint)}`, {
      cause: error,
    });
  }
  if (parsed.protocol !== 'http:' && parsed.protocol !== 'https:') {
    throw new ProvisionConfigError(
      'DALBENCH_S3_ENDPOINT',
      `expected an http or https URL, got ${redactUrl(endpoint)}`,
    );
  }
  const url = formatS3Url({
    endpoint: `${parsed.protocol}//${parsed.host}`,
    accessKeyId,
    secretAccessKey,
    region: env['DALBENCH_S3_REGION']?.trim() || 'us-east-1',
    ...(parsed.searchParams.has('sslrootcert')
      ? { caFile: parsed.searchParams.get('sslrootcert') ?? '' }
      : {}),
  });
  return { url, variable: 'DALBENCH_S3_ENDPOINT' };
}

export class ExternalProvisioner implements Provisioner {
  readonly mode = 'external' as const;
  constructor(private readonly env: NodeJS.ProcessEnv = process.env) {}

  async start(request: ProvisionRequest): Promise<ProvisionedStores> {
    const log = request.log ?? (() => {});
    const endpoints: Partial<Record<StoreKind, StoreEndpoint>> = {};
    const unavailable: Partial<Record<StoreKind, string>> = {};
    // Validate everything before any round trip, so a typo fails in milliseconds.
    const targets = [...new Set(request.kinds)].map((kind) => ({
      kind,
      target: externalUrl(kind, this.env),
    }));
    // allSettled, not all: a failed probe must not return while another still holds a connection
    // (which the caller's next step, stopping that server, would turn into an uncaught error).
    const settled = await Promise.allSettled(
      targets.map(async ({ kind, target }) => {
        if (!target) {
          unavailable[kind] =
            `${STORE_ENV[kind]} not set${kind === 's3' ? ' (nor DALBENCH_S3_ENDPOINT)' : ''}`;
          return;
        }
        try {
          const serverVersion = await PROBES[kind](target.url);
          endpoints[kind] = { kind, url: target.url, mode: 'external', serverVersion, startMs: 0, notes: [] };
          log(`${kind}: ${serverVersion} at ${redactUrl(target.url)} (${target.variable})`);
        } catch (error) {
          const tls = certificateProblem(error);
          const what = tls ? `refused TLS: ${tls}` : 'did not answer';
          throw new ProvisionError(kind, `${target.variable}=${redactUrl(target.url)} ${what}`, {
            cause: error,
          });
        }
      }),
    );
    const failed = settled.flatMap((outcome) =>
      outcome.status === 'rejected' ? [outcome.reason as ProvisionError] : [],
    );
    const [only] = failed;
    if (only && failed.length === 1) throw only;
    if (failed.length > 1) {
      // Every store that failed is named, as local mode does.
      throw new ProvisionError(
        'provisioner',
        `external mode: ${failed.length} stores failed:\n${failed.map((f) => `  ${f.message}`).join('\n')}`,
        { cause: new AggregateError(failed) },
      );
    }
    // Nothing was started, so there is nothing to stop.
    const stop = () => Promise.resolve();
    return { endpoints, unavailable, stop, [Symbol.asyncDispose]: stop };
  }
}

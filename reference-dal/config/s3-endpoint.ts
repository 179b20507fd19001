// The S3 endpoint URL format the provisioner produces: credentials in the userinfo, region as a
// query parameter — http://ACCESS:SECRET@host:port/?region=us-east-1 — so one string is the endpoint.
import type { ConnectionOptions } from 'node:tls';
import { schemeTls } from './tls.ts';
import { ValidationError } from '../errors.ts';

export interface S3Endpoint {
  /** Scheme, host and port only: what the SDK calls `endpoint`. */
  readonly endpoint: string;
  readonly region: string;
  readonly credentials: { readonly accessKeyId: string; readonly secretAccessKey: string } | undefined;
  /** TLS settings for an https endpoint (a private CA from `sslrootcert`); undefined for http. */
  readonly tls: ConnectionOptions | undefined;
}

export function parseS3Endpoint(url: string, field = 'url'): S3Endpoint {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch (error) {
    throw new ValidationError(field, 'is not an absolute URL', { cause: error });
  }
  if (parsed.protocol !== 'http:' && parsed.protocol !== 'https:') {
    throw new ValidationError(field, `must be http(s)://, got ${parsed.protocol}`);
  }
  if ((parsed.username === '') !== (parsed.password === '')) {
    throw new ValidationError(
      field,
      'give both access key and secret in the userinfo (http://ACCESS:SECRET@host), or neither',
    );
  }
  const region = parsed.searchParams.get('region') ?? 'us-east-1';
  if (!/^[a-z0-9-]{1,40}$/.test(region))
    throw new ValidationError(`${field}.region`, `"${region}" is not a region name`);
  const { tls } = schemeTls(url, 'https:', field);
  return Object.freeze({
    endpoint: `${parsed.protocol}//${parsed.host}`,
    region,
    tls,
    credentials:
      parsed.username === ''
        ? undefined
        : {
            accessKeyId: decodeURIComponent(parsed.username),
            secretAccessKey: decodeURIComponent(parsed.password),
          },
  });
}

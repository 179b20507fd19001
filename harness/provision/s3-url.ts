// The S3 endpoint as one URL: http://ACCESS:SECRET@host:port/?region=R (credentials in the userinfo).
import { ProvisionConfigError } from './errors.ts';

export interface S3Endpoint {
  /** http(s)://host:port, no credentials. */
  readonly endpoint: string;
  readonly accessKeyId: string;
  readonly secretAccessKey: string;
  readonly region: string;
  /** `sslrootcert`: a CA file to trust for an https endpoint (config/tls.ts). */
  readonly caFile?: string;
}

export function formatS3Url(s3: S3Endpoint): string {
  const url = new URL(s3.endpoint);
  url.username = encodeURIComponent(s3.accessKeyId);
  url.password = encodeURIComponent(s3.secretAccessKey);
  url.pathname = '/';
  url.search = `?region=${encodeURIComponent(s3.region)}`;
  if (s3.caFile !== undefined) url.searchParams.set('sslrootcert', s3.caFile);
  return url.toString();
}

/** Parses the one-URL form; `input` names where it came from for the error message. */
export function parseS3Url(value: string, input = 'S3 URL'): S3Endpoint {
  let url: URL;
  try {
    url = new URL(value);
  } catch (error) {
    throw new ProvisionConfigError(input, 'not a URL (expected http://ACCESS:SECRET@host:port/?region=R)', {
      cause: error,
    });
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    throw new ProvisionConfigError(input, `protocol must be http or https, got ${url.protocol}`);
  }
  if (!url.username || !url.password) {
    throw new ProvisionConfigError(
      input,
      'credentials missing (expected http://ACCESS:SECRET@host:port/?region=R)',
    );
  }
  return {
    endpoint: `${url.protocol}//${url.host}`,
    accessKeyId: decodeURIComponent(url.username),
    secretAccessKey: decodeURIComponent(url.password),
    region: url.searchParams.get('region') || 'us-east-1',
    ...(url.searchParams.has('sslrootcert') ? { caFile: url.searchParams.get('sslrootcert') ?? '' } : {}),
  };
}

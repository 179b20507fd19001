// How the Elasticsearch client reaches a URL: https verified against the system's CAs or the
// `sslrootcert=FILE` CA (config/tls.ts), and an API key from `api_key=` (Elasticsearch's encoded form,
// base64 of id:key), taken out of the node URL. redactUrl masks it wherever the URL is printed.
import type { ClientOptions } from '@elastic/elasticsearch';
import { schemeTls } from './tls.ts';
import { ValidationError } from '../errors.ts';

export type ElasticsearchConnection = Pick<ClientOptions, 'node' | 'tls' | 'auth'>;

export function elasticsearchConnection(url: string, source = 'elasticsearch URL'): ElasticsearchConnection {
  const { url: withoutCa, tls } = schemeTls(url, 'https:', source);
  const parsed = new URL(withoutCa);
  const apiKey = parsed.searchParams.get('api_key');
  if (apiKey === null) return { node: withoutCa, ...(tls ? { tls } : {}) };
  if (!/^[A-Za-z0-9+/=_-]+$/.test(apiKey))
    throw new ValidationError(`${source} api_key`, 'is empty or not an encoded API key (base64 of id:key)');
  if (parsed.username)
    throw new ValidationError(`${source} api_key`, 'give an API key or user:password in the URL, not both');
  parsed.searchParams.delete('api_key');
  return { node: parsed.toString(), ...(tls ? { tls } : {}), auth: { apiKey } };
}

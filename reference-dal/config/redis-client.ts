// An ioredis client for a redis:// or rediss:// URL, with TLS as the URL asks (config/tls.ts): a
// rediss:// URL's `sslrootcert=FILE` is read here, not left to ioredis, which would take it for an option.
import { Redis, type RedisOptions } from 'ioredis';
import { schemeTls } from './tls.ts';

export function newRedisClient(url: string, options: RedisOptions, source = 'redis URL'): Redis {
  const { url: plain, tls } = schemeTls(url, 'rediss:', source);
  return new Redis(plain, tls ? { ...options, tls } : options);
}

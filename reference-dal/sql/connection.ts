// How pg connects to a postgres:// URL: the connection string without our TLS parameters plus pg's
// `ssl` setting from them (config/tls.ts). Every pg Client and Pool dalbench opens takes this.
import type pg from 'pg';
import { postgresTls } from '../config/tls.ts';

export function pgConnection(
  url: string,
  source?: string,
): Pick<pg.ClientConfig, 'connectionString' | 'ssl'> {
  const { url: connectionString, tls } = postgresTls(url, source);
  return { connectionString, ssl: tls ?? false };
}

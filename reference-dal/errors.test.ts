import { describe, expect, it } from 'vitest';
import { redactUrl } from './errors.ts';

describe('redactUrl', () => {
  it('masks the password and secret-looking parameters of a URL', () => {
    expect(redactUrl('postgres://u:hunter2@db:5432/app?sslmode=verify-full&password=hunter3')).toBe(
      'postgres://u:***@db:5432/app?sslmode=verify-full&password=***',
    );
    expect(redactUrl('https://es:9200/?api_key=c2VjcmV0&sslrootcert=%2Fca.pem')).toBe(
      'https://es:9200/?api_key=***&sslrootcert=%2Fca.pem',
    );
  });

  it('masks them in a string that is not a URL too (a bad port, a typo)', () => {
    const bad = redactUrl('https://user:hunter2@h:99999/?api_key=c2VjcmV0&region=eu&secret_token=abc');
    expect(bad).not.toMatch(/hunter2|c2VjcmV0|abc/);
    expect(bad).toBe('https://user:***@h:99999/?api_key=***&region=eu&secret_token=***');
  });
});

// S3Proxy names files after keys: without a UTF-8 locale (e.g. an empty environment) the JVM cannot
// store "ü.bin" and answers 400. The local provisioner gives it one unless the environment has one.
import { describe, expect, it } from 'vitest';
import { utf8Locale } from './s3proxy.ts';

describe('the locale S3Proxy runs under', () => {
  it('adds C.UTF-8 to an environment without a UTF-8 locale, and keeps one that has it', () => {
    expect(utf8Locale({ PATH: '/bin' })).toMatchObject({ PATH: '/bin', LC_ALL: 'C.UTF-8', LANG: 'C.UTF-8' });
    expect(utf8Locale({ LANG: 'POSIX' })).toMatchObject({ LC_ALL: 'C.UTF-8' });
    const german = { LANG: 'de_DE.UTF-8' };
    expect(utf8Locale(german)).toBe(german);
    expect(utf8Locale({ LC_ALL: 'en_US.utf8' })).toEqual({ LC_ALL: 'en_US.utf8' });
  });
});

// Store names keep what tells two systems apart, however long the profile's name.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { assertSyncProperty } from '../../harness/conformance/support/seed.ts';
import { MAX_NAME_SLUG, nameSlug } from './store-names.ts';

describe('store names', () => {
  it('are <profile>-<unique> in a-z0-9 and hyphens', () => {
    expect(nameSlug('polyglot', 'ab12cd_0_1')).toBe('polyglot-ab12cd-0-1');
    expect(nameSlug('Single Postgres!', 'dsAB12')).toBe('single-postgres-dsab12');
  });

  it('cut a long profile name, never the distinguishing tail', () => {
    const long = 'a-profile-name-much-longer-than-forty-characters';
    expect(nameSlug(long, 'ds0123456789ab')).toBe('a-profile-name-much-longe-ds0123456789ab');
    assertSyncProperty(
      fc.property(
        fc.string({ maxLength: 80 }),
        fc.stringMatching(/^[a-z0-9]{1,20}$/),
        fc.stringMatching(/^[a-z0-9]{1,20}$/),
        (profile, a, b) => {
          const [x, y] = [nameSlug(profile, a), nameSlug(profile, b)];
          expect(x.length).toBeLessThanOrEqual(MAX_NAME_SLUG);
          expect(x).toMatch(/^[a-z0-9]+(-[a-z0-9]+)*$/);
          expect(x.endsWith(a)).toBe(true);
          if (a !== b) expect(x).not.toBe(y);
        },
      ),
      300,
    );
  });
});

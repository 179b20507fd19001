// Fuzzed storage configs: every field replaced by hostile values. A config is accepted exactly when
// an independent oracle says the field is valid; otherwise a ValidationError names the config index
// and the field. Nothing else (no TypeError from inside zod or URL parsing) may escape.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  BACKENDS,
  BACKENDS_FOR_TYPE,
  STORAGE_TYPES,
  parseStorageConfigs,
} from '../../reference-dal/config/storage-config.ts';
import { ValidationError } from '../../reference-dal/errors.ts';
import { assertSyncProperty } from './support/sync-property.ts';
import { hostileString, hostileValue } from './support/hostile.ts';

const validConfig = fc.constantFrom(...STORAGE_TYPES).chain((type) =>
  fc.record({
    type: fc.constant(type),
    backend: fc.constantFrom(...BACKENDS_FOR_TYPE[type]),
    url: fc.webUrl(),
    poolSize: fc.integer({ min: 1, max: 1000 }),
    timeoutMs: fc.integer({ min: 1, max: 600_000 }),
    retryAttempts: fc.integer({ min: 0, max: 20 }),
    idleTimeoutMs: fc.integer({ min: 0, max: 86_400_000 }),
  }),
);

const isInt = (v: unknown, min: number, max: number) =>
  typeof v === 'number' && Number.isInteger(v) && v >= min && v <= max;

/** The oracle: is `value` acceptable for `field` of a config whose other fields are valid? */
function fieldValid(field: string, value: unknown, config: { type: string; backend: string }): boolean {
  const allowed = BACKENDS_FOR_TYPE as Record<string, readonly string[] | undefined>;
  switch (field) {
    case 'type':
      return (
        typeof value === 'string' && Object.hasOwn(allowed, value) && allowed[value]!.includes(config.backend)
      );
    case 'backend':
      return typeof value === 'string' && allowed[config.type]!.includes(value);
    case 'url':
      return typeof value === 'string' && value.length > 0 && URL.canParse(value);
    case 'poolSize':
      return value === undefined || isInt(value, 1, 1000);
    case 'timeoutMs':
      return value === undefined || isInt(value, 1, 600_000);
    case 'retryAttempts':
      return value === undefined || isInt(value, 0, 20);
    case 'idleTimeoutMs':
      return value === undefined || isInt(value, 0, 86_400_000);
    default:
      throw new Error(`no oracle for ${field}`);
  }
}

describe('fuzzed storage config', () => {
  it('valid random configs are accepted unchanged', () => {
    assertSyncProperty(
      fc.property(validConfig, (config) => {
        const [parsed] = parseStorageConfigs([config]);
        expect(parsed).toMatchObject(config);
      }),
      200,
    );
  });

  it('one field replaced by a hostile value: accepted iff valid, else a ValidationError naming index and field', () => {
    assertSyncProperty(
      fc.property(
        fc.array(validConfig, { minLength: 0, maxLength: 2 }),
        validConfig,
        fc.constantFrom('type', 'backend', 'url', 'poolSize', 'timeoutMs', 'retryAttempts', 'idleTimeoutMs'),
        fc.oneof(hostileValue, fc.constantFrom(...STORAGE_TYPES, ...BACKENDS), fc.integer()),
        (before, config, field, value) => {
          // Earlier configs of distinct types, none of this config's type.
          const others = before.filter((c) => c.type !== config.type);
          const unique = others.filter((c, i) => others.findIndex((o) => o.type === c.type) === i);
          const input = [...unique, { ...config, [field]: value }];
          const index = unique.length;
          // A type already configured above is refused as "configured twice" (naming .type).
          const taken = unique.some((c) => c.type === value);
          const valid = !(field === 'type' && taken) && fieldValid(field, value, config);
          let error: unknown;
          try {
            parseStorageConfigs(input);
          } catch (caught) {
            error = caught;
          }
          if (valid) {
            expect(error).toBeUndefined();
            return;
          }
          expect(error).toBeInstanceOf(ValidationError);
          const { field: named } = error as ValidationError;
          expect(named.startsWith(`storage config[${index}]`), named).toBe(true);
          // A bad type makes the backend mismatch too; either names the offending pair.
          const expected = field === 'type' ? /\.(type|backend)$/ : new RegExp(`\\.${field}$`);
          expect(named).toMatch(expected);
        },
      ),
      300,
    );
  });

  it('unknown keys, options of the wrong shape and non-array input name what was wrong', () => {
    assertSyncProperty(
      fc.property(validConfig, hostileString, hostileValue, hostileValue, (config, key, value, top) => {
        const known = [
          'type',
          'backend',
          'url',
          'poolSize',
          'timeoutMs',
          'retryAttempts',
          'idleTimeoutMs',
          'circuitBreaker',
          'options',
        ];
        if (!known.includes(key)) {
          const error = captureSync(() =>
            parseStorageConfigs([{ ...config, [key]: value }], 'dalbench.config.ts'),
          );
          expect(error).toBeInstanceOf(ValidationError);
          expect((error as Error).message).toMatch(/^dalbench\.config\.ts\[0\]: .*[Uu]nrecognized key/);
        }
        const optionsOk = typeof value === 'object' && value !== null && !Array.isArray(value);
        const optionsError = captureSync(() => parseStorageConfigs([{ ...config, options: value }]));
        if (optionsOk || value === undefined) expect(optionsError).toBeUndefined();
        else expect((optionsError as ValidationError).field).toBe('storage config[0].options');
        if (!Array.isArray(top)) {
          const error = captureSync(() => parseStorageConfigs(top, 'cfg.json'));
          expect(error).toBeInstanceOf(ValidationError);
          expect((error as ValidationError).field).toBe('cfg.json');
        }
      }),
      200,
    );
  });
});

function captureSync(fn: () => unknown): unknown {
  try {
    fn();
    return undefined;
  } catch (error) {
    return error;
  }
}

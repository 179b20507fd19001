// Fuzzed results.json and noise.json: random text, truncations, and valid files with one field
// replaced by a hostile value. The readers either accept or throw their input-error class with a
// message that starts with the file and names the field; never a TypeError from inside.
import fc from 'fast-check';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { assertProperty } from '../../harness/conformance/support/seed.ts';
import { syntheticResults } from '../../harness/report/fixtures/synthetic-results.ts';
import { InputError } from '../../harness/results/input-error.ts';
import { ResultsFileError, jsonPath, parseResults } from '../../harness/report/results-io.ts';
import { NOISE_SCHEMA_VERSION, loadNoise } from '../../harness/stats/noise.ts';
import { hostileString, hostileValue } from './support/hostile.ts';
import { assertSyncProperty, outcome } from './support/sync-property.ts';
import { allPaths, replaceAt, type JsonPath } from './support/json-paths.ts';

const FILE = 'reports/x/results.json';
const valid = syntheticResults({ seed: 7, profiles: ['polyglot'], samplesPerOperation: 20 });
const validText = JSON.stringify(valid);
const resultPaths = allPaths(valid);

/** The results reader, its error class (an InputError, so the CLI exits 2) and how it writes a field path. */
const READERS = [
  {
    name: 'results-io',
    parse: parseResults,
    errorClass: ResultsFileError,
    field: (p: JsonPath) => jsonPath(p),
  },
] as const;

/** Some prefix of `path` (at least its first key) appears in `message`: the field is named. */
function namesField(message: string, path: JsonPath, field: (p: JsonPath) => string): boolean {
  for (let depth = path.length; depth >= 1; depth--)
    if (message.includes(field(path.slice(0, depth)))) return true;
  return false;
}

describe.each(READERS)('fuzzed results.json ($name)', ({ parse, errorClass, field }) => {
  it('accepts the valid file, and the valid file with a field set to its own value', () => {
    expect(parse(validText, FILE).run.seed).toBe(valid.run.seed);
    assertSyncProperty(
      fc.property(fc.constantFrom(...resultPaths), (path) => {
        const same = replaceAt(
          valid,
          path,
          path.reduce<unknown>((v, k) => (v as Record<string, unknown>)[k], valid),
        );
        expect(() => parse(JSON.stringify(same), FILE)).not.toThrow();
      }),
      100,
    );
  });

  it('random text and truncations: the reader error, starting with the file', () => {
    assertSyncProperty(
      fc.property(
        fc.oneof(
          hostileString,
          fc.nat(validText.length - 1).map((n) => validText.slice(0, n)),
          fc.json(),
        ),
        (text) => {
          const error = outcome(() => parse(text, FILE));
          expect(error).toBeInstanceOf(errorClass);
          expect(error).toBeInstanceOf(InputError);
          expect((error as Error).message.startsWith(`${FILE}`)).toBe(true);
        },
      ),
      200,
    );
  });

  it('one field replaced by a hostile value: accepted, or the reader error naming the file and the field', () => {
    assertSyncProperty(
      fc.property(fc.constantFrom(...resultPaths), hostileValue, (path, value) => {
        const text = JSON.stringify(replaceAt(valid, path, value));
        const error = outcome(() => parse(text, FILE));
        if (error === undefined) return;
        expect(error).toBeInstanceOf(errorClass);
        const message = (error as Error).message;
        expect(message.startsWith(`${FILE}: `), message).toBe(true);
        // kind and schemaVersion are checked first with their own sentences.
        if (path[0] === 'kind' || path[0] === 'schemaVersion') return;
        expect(namesField(message, path, field), `${message} should name ${field(path)}`).toBe(true);
      }),
      300,
    );
  });
});

describe('fuzzed noise.json', () => {
  let dir = '';
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'dalbench-fuzz-noise-'));
  });
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });
  const noise = {
    kind: 'dalbench-noise',
    schemaVersion: NOISE_SCHEMA_VERSION,
    createdAt: '2026-01-01T00:00:00.000Z',
    runs: ['a/results.json', 'b/results.json'],
    maxCv: 0.1,
    spread: 'between-invocations',
    entries: [
      {
        scenario: 'metrics-query',
        profile: 'polyglot',
        driver: 'dal',
        metric: 'query.p99',
        runs: 5,
        mean: 1200,
        cv: 0.05,
        tooNoisy: false,
        repeat: { variance: 0.01, df: 4 },
      },
    ],
  };
  const noisePaths = allPaths(noise);

  it('valid file accepted; random text or a hostile field gives an InputError naming the file (and field)', async () => {
    const file = join(dir, 'noise.json');
    await writeFile(file, JSON.stringify(noise));
    expect((await loadNoise(file)).entries).toHaveLength(1);
    let n = 0;
    await assertProperty(
      fc.asyncProperty(
        fc.oneof(
          hostileString,
          fc.tuple(fc.constantFrom(...noisePaths), hostileValue).map(([path, value]) => ({ path, value })),
        ),
        async (input) => {
          const path = join(dir, `noise-${n++}.json`);
          const mutated = typeof input === 'string' ? undefined : input;
          await writeFile(
            path,
            typeof input === 'string' ? input : JSON.stringify(replaceAt(noise, input.path, input.value)),
          );
          let error: unknown;
          try {
            await loadNoise(path);
          } catch (caught) {
            error = caught;
          }
          if (error === undefined) {
            expect(mutated, 'random text accepted as noise.json').toBeDefined();
            return;
          }
          expect(error).toBeInstanceOf(InputError);
          const message = (error as Error).message;
          expect(message.startsWith(`${path}: `), message).toBe(true);
          if (mutated) {
            expect(
              namesField(message, mutated.path, (p) => p.join('.')),
              message,
            ).toBe(true);
          }
        },
      ),
      150,
    );
  });
});

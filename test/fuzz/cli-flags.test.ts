// Fuzzed CLI flags. resolvePlan (every `run` flag value) is pure, so its oracle runs many cases:
// a value is accepted exactly when it is what the flag asks for, else a FlagError names the flag.
// Through `main` (the CLI as a user calls it): unknown flags, flags missing their value and wrong
// values exit 2 with a message naming the flag, and never reach a run (the io's env points
// external mode at no stores, and every argv carries a value the oracle says is wrong).
import fc from 'fast-check';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { syntheticResults } from '../../harness/report/fixtures/synthetic-results.ts';
import { writeResults } from '../../harness/report/results-io.ts';
import { main } from '../../harness/cli/main.ts';
import { assertProperty } from '../../harness/conformance/support/seed.ts';
import { FlagError, resolvePlan, type RunFlags } from '../../harness/run/resolve-plan.ts';
import { captureIo } from '../support/capture-io.ts';
import { assertSyncProperty } from './support/sync-property.ts';
import { hostileString, isInternalError, shownError } from './support/hostile.ts';

const numberLike = fc.oneof(
  hostileString,
  fc.integer({ min: -5, max: 1e6 }).map(String),
  fc.double({ noNaN: false }).map(String),
  fc.constantFrom('', ' ', '0', '-0', '1.5', '1e3', '0x10', 'Infinity', 'NaN', '9007199254740993', ' 7 '),
);

const isBlank = (text: string) => text.trim() === '';
/** The oracle for each numeric flag: what the help text promises. */
const NUMERIC: Record<string, (text: string) => boolean> = {
  seed: (t) => !isBlank(t) && Number.isSafeInteger(Number(t)) && Number(t) >= 0,
  repeat: (t) => !isBlank(t) && Number.isInteger(Number(t)) && Number(t) > 0,
  concurrency: (t) => !isBlank(t) && Number.isInteger(Number(t)) && Number(t) > 0,
  rate: (t) => !isBlank(t) && Number.isFinite(Number(t)) && Number(t) > 0,
};

function plan(flags: RunFlags): unknown {
  try {
    resolvePlan({ profile: 'polyglot', scenario: 'metrics-ingest', ...flags }, undefined, () => 1);
    return undefined;
  } catch (error) {
    return error;
  }
}

describe('fuzzed run flags (resolvePlan)', () => {
  it('numeric flags: accepted iff the oracle says so, else a FlagError naming the flag', () => {
    assertSyncProperty(
      fc.property(fc.constantFrom(...Object.keys(NUMERIC)), numberLike, (flag, text) => {
        const error = plan({ [flag]: text });
        if (NUMERIC[flag]!(text)) {
          expect(error, `--${flag} ${JSON.stringify(text)} refused`).toBeUndefined();
        } else {
          expect(error, `--${flag} ${JSON.stringify(text)} accepted`).toBeInstanceOf(FlagError);
          expect((error as Error).message).toContain(`--${flag}`);
        }
      }),
      400,
    );
  });

  it('every string flag with a hostile value: accepted or a FlagError naming the flag, never another error', () => {
    const flags = [
      'scenario',
      'profile',
      'stores',
      'duration',
      'warmup',
      'shard',
      'driver',
      'scale',
    ] as const;
    assertSyncProperty(
      fc.property(fc.constantFrom(...flags), hostileString, (flag, text) => {
        const error = plan({ [flag]: text });
        if (error === undefined) return;
        // FlagError, DurationError, ProvisionConfigError...: any input error, never one from inside.
        expect(isInternalError(error), shownError(error)).toBe(false);
        expect(error).toBeInstanceOf(Error);
        expect((error as Error).message).toContain(`--${flag}`);
      }),
      400,
    );
  });

  it('values with no digit are refused by every flag that takes a number or a time', () => {
    assertSyncProperty(
      fc.property(
        fc.constantFrom('seed', 'repeat', 'concurrency', 'rate', 'duration', 'warmup', 'shard'),
        hostileString.filter((s) => !/[0-9٠-٩０-９]/.test(s) && !/infinity/i.test(s)),
        (flag, text) => {
          const error = plan({ [flag]: text });
          expect(error, `--${flag} ${JSON.stringify(text)} accepted`).toBeInstanceOf(Error);
          expect(isInternalError(error), shownError(error)).toBe(false);
          expect((error as Error).message).toContain(`--${flag}`);
        },
      ),
      300,
    );
  });
});

/** An env that can start nothing: external mode with no store URLs. */
const SAFE_ENV = { DALBENCH_STORES: 'external' };

const COMMANDS = ['run', 'check', 'compare', 'calibrate', 'serve', 'migrate', 'merge', 'report'] as const;
const flagName = fc.stringMatching(/^[a-z][a-z-]{2,20}$/).map((s) => `--zz-${s}`);

describe('fuzzed argv through main()', () => {
  let dir = '';
  let resultsFile = '';
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'dalbench-fuzz-cli-'));
    resultsFile = await writeResults(
      dir,
      syntheticResults({ seed: 3, profiles: ['polyglot'], samplesPerOperation: 20 }),
    );
  });
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('an unknown flag on any command exits 2 naming the flag', async () => {
    await assertProperty(
      fc.asyncProperty(
        fc.constantFrom(...COMMANDS),
        flagName,
        fc.option(hostileString),
        async (command, flag, value) => {
          const io = captureIo(SAFE_ENV);
          const argv = [command, 'a.json', 'b.json', flag, ...(value === null ? [] : [value])];
          const code = await main(argv, io);
          expect(code, io.stderr).toBe(2);
          // Commands with required options (migrate --from, serve --profile) name the missing one first.
          expect(io.stderr, io.stderr).toMatch(
            new RegExp(`unknown option '${flag}'|required option '--[a-z-]+ <`),
          );
          expect(io.stdout).toBe('');
        },
      ),
      40,
    );
  });

  it('a flag missing its value exits 2 naming the flag', async () => {
    const valued: [string, string][] = [
      ['run', '--seed'],
      ['run', '--duration'],
      ['run', '--budgets'],
      ['run', '--noise'],
      ['check', '--budgets'],
      ['compare', '--out'],
      ['calibrate', '--out'],
      ['serve', '--profile'],
      ['migrate', '--from'],
    ];
    await assertProperty(
      fc.asyncProperty(fc.constantFrom(...valued), async ([command, flag]) => {
        const io = captureIo(SAFE_ENV);
        const code = await main([command, flag], io);
        expect(code, io.stderr).toBe(2);
        expect(io.stderr).toContain(flag);
      }),
      valued.length * 2,
    );
  });

  it('run with a wrong numeric value exits 2 naming the flag, before any store is touched', async () => {
    await assertProperty(
      fc.asyncProperty(
        fc.constantFrom(...Object.keys(NUMERIC)),
        numberLike.filter((t) => !t.startsWith('-')),
        async (flag, text) => {
          fc.pre(!NUMERIC[flag]!(text));
          // Never start a run: main gets only values the pure resolver refuses (asserted above).
          fc.pre(plan({ [flag]: text }) instanceof FlagError);
          const io = captureIo(SAFE_ENV);
          const argv = [
            'run',
            '--profile',
            'polyglot',
            '--scenario',
            'metrics-ingest',
            '--out',
            '/nonexistent/fuzz',
          ];
          const code = await main([...argv, `--${flag}`, text], io);
          expect(code, io.stderr).toBe(2);
          expect(io.stderr).toContain(`--${flag}`);
          expect(io.stderr).not.toMatch(/seed \d+ \(replay/);
        },
      ),
      40,
    );
  });

  it('check with hostile paths and budget names exits 2 naming the input', async () => {
    await assertProperty(
      fc.asyncProperty(hostileString, hostileString, fc.boolean(), async (results, budgets, badResults) => {
        const io = captureIo(SAFE_ENV);
        const argv = badResults
          ? ['check', `/nonexistent/${results}`, '--budgets', 'adr-024']
          : ['check', resultsFile, '--budgets', `/nonexistent/${budgets}`];
        const code = await main(argv, io);
        expect(code, io.stderr).toBe(2);
        const named = badResults ? argv[1]! : argv[3]!;
        // The input is named as given (a name with a line break is cut at the first line).
        expect(io.stderr, io.stderr).toContain(named.split(/[\r\n]/)[0]);
      }),
      40,
    );
  });
});

import { describe, expect, it } from 'vitest';
import { syntheticResults, ADR_SCENARIOS } from '../report/fixtures/synthetic-results.ts';
import type { Results } from '../report/results-schema.ts';
import { confirmOutcomes } from './confirm.ts';
import { BudgetSelectionError, BudgetSyntaxError } from './errors.ts';
import { evaluateBudgetOutcomes, evaluateBudgets } from './evaluate.ts';
import { exitCodeFor } from './exit-code.ts';
import { parseBudgetExpression } from './expression.ts';
import { loadBudgetSet, parseBudgetDocument } from './load.ts';
import { resolveBudgetSet } from './resolve.ts';
import type { NoiseFile } from '../stats/noise.ts';

const set = (exprs: string[]) =>
  resolveBudgetSet({ name: 't', budgets: exprs.map((expr) => ({ expr })) }, 'test.yaml');
const only = (results: Results, expr: string) => evaluateBudgets(results, set([expr]));

describe('budget expressions', () => {
  it('parses every kind into the structured form', () => {
    expect(parseBudgetExpression('p99(realtime-detection.request) < 1000ms').metric).toEqual({
      kind: 'latency',
      stat: 'p99',
      scenario: 'realtime-detection',
      operation: 'request',
      profile: '*',
    });
    expect(parseBudgetExpression('p99(consistencyLag) <= 1s')).toMatchObject({
      metric: { kind: 'distribution', name: 'consistencyLag', scenario: '*' },
      limit: 1000,
    });
    expect(
      parseBudgetExpression('improvement(metrics-query.p50, polyglot vs single-postgres) >= 50%').metric,
    ).toEqual({
      kind: 'improvement',
      stat: 'p50',
      scenario: 'metrics-query',
      operation: '*',
      profile: 'polyglot',
      baseline: 'single-postgres',
    });
    expect(parseBudgetExpression('cacheHitRatio(dashboard-reads) >= 90%')).toMatchObject({ limit: 0.9 });
    expect(parseBudgetExpression('errorRate(*) < 0.001').metric).toMatchObject({
      kind: 'value',
      scenario: '*',
    });
    expect(parseBudgetExpression('staleReads == 0').metric).toEqual({
      kind: 'value',
      name: 'staleReads',
      scenario: '*',
      profile: '*',
    });
    expect(parseBudgetExpression('p99.9(a.b, polyglot) < 500us at 95% confidence')).toMatchObject({
      metric: { stat: 'p999', profile: 'polyglot' },
      limit: 0.5,
      confidence: 0.95,
    });
    expect(parseBudgetExpression('throughput(metrics-ingest.ingest) >= 100 ops/s').metric.kind).toBe(
      'throughput',
    );
  });

  it.each([
    ['p99(a.b) < 1000', /time unit/],
    ['p99(a.b) < 10 apples', /cannot parse/],
    ['improvement(a.p50, x) >= 5%', /profile vs baseline/],
    ['improvement(a.p50, x vs y) >= 5', /in %/],
    ['p99(a.b.c) < 1ms', /scenario.operation/],
    ['cacheHitRatio(a b) > 0', /wildcard pattern/],
  ])('rejects %s', (expr, message) => {
    expect(() => parseBudgetExpression(expr)).toThrow(message);
  });

  it('YAML errors name the file, the line and the field', () => {
    const yaml = [
      'name: mine',
      'budgets:',
      '  - expr: "p99(a.b) < 1000ms"',
      '  - expr: "p99(a.b) << 3ms"',
      '',
    ].join('\n');
    const error = (() => {
      try {
        parseBudgetDocument(yaml, 'budgets.yaml');
      } catch (e) {
        return e;
      }
    })();
    expect(error).toBeInstanceOf(BudgetSyntaxError);
    expect((error as Error).message).toMatch(/^budgets\.yaml:4: budgets\[1\]\.expr: cannot parse/);
    const structured = [
      'name: s',
      'budgets:',
      '  - metric: { kind: latency, stat: p42, scenario: a, operation: b }',
      '    op: "<"',
      '    limit: 3',
    ].join('\n');
    expect(() => parseBudgetDocument(structured, 'b.yml')).toThrow(/^b\.yml:3: budgets\[0\]/);
    expect(() => parseBudgetDocument('name: [unclosed', 'x.yaml')).toThrow(/^x\.yaml:1: syntax error/);
    expect(() => parseBudgetDocument('{"name": "j", "budgets": []}', 'j.json')).toThrow(/j\.json:1: budgets/);
  });

  it('structured budgets get a readable text', () => {
    const resolved = resolveBudgetSet(
      {
        name: 's',
        budgets: [
          { metric: { kind: 'value', name: 'staleReads', scenario: 'cache-coherency' }, op: '==', limit: 0 },
        ],
      },
      's.json',
    );
    expect(resolved.budgets[0]?.text).toBe('staleReads(cache-coherency) == 0');
  });
});

describe('evaluating budgets against results.json', () => {
  const good = syntheticResults({ seed: 1, samplesPerOperation: 300 });

  it('adr-024: every ADR target passes on results that meet them, and carries its ADR sentence', async () => {
    const adr = await loadBudgetSet('adr-024');
    expect(adr.budgets.length).toBeGreaterThanOrEqual(10);
    const verdicts = evaluateBudgets(good, adr);
    expect(verdicts.map((v) => [v.budget, v.status]).filter(([, s]) => s !== 'pass')).toEqual([]);
    expect(verdicts.every((v) => v.claim && v.message.startsWith('PASS'))).toBe(true);
    expect(exitCodeFor(verdicts)).toBe(0);
  });

  it('every kind fails when the results breach it (exit 1)', () => {
    const bad = syntheticResults({
      seed: 2,
      samplesPerOperation: 300,
      factor: (s, p) => (p === 'polyglot' ? (s === 'realtime-detection' ? 200 : 1.2) : 1),
      scenarios: ADR_SCENARIOS.map((s) =>
        s.name === 'dashboard-reads'
          ? { ...s, metrics: { cacheHitRatio: 0.5 } }
          : s.name === 'cross-store-consistency'
            ? { ...s, distributions: { consistencyLag: 5000 }, counters: { staleReads: 3, lostWrites: 1 } }
            : s,
      ),
    });
    const cases = [
      'p99(realtime-detection.request, polyglot) < 1000ms',
      'cacheHitRatio(dashboard-reads, polyglot) >= 0.90',
      'improvement(metrics-query.p50, polyglot vs single-postgres) >= 50%',
      'improvement(metrics-ingest.ingest.throughput, polyglot vs single-postgres) >= 30%',
      'p99(consistencyLag) <= 1s',
      'staleReads == 0',
      'lostWrites(cross-store-consistency) == 0',
      'throughput(metrics-query.query, polyglot) >= 100000 ops/s',
    ];
    for (const expr of cases) {
      const verdicts = only(bad, expr);
      expect(verdicts.length, expr).toBeGreaterThan(0);
      expect(
        verdicts.some((v) => v.status === 'fail'),
        expr,
      ).toBe(true);
      expect(exitCodeFor(verdicts), expr).toBe(1);
      for (const v of verdicts.filter((x) => x.status === 'fail')) {
        expect(v.margin, expr).toBeLessThan(0);
        expect(v.message, expr).toMatch(/^FAIL: measured/);
      }
    }
    // and the same budgets pass on good results
    for (const expr of cases.slice(0, 7)) expect(exitCodeFor(only(good, expr)), expr).toBe(0);
  });

  it('errorRate is derived from operation errors when no scenario reports it', () => {
    const results = syntheticResults({
      seed: 3,
      profiles: ['polyglot'],
      scenarios: [{ name: 'x', operations: [{ name: 'op', medianMs: 1 }] }],
    });
    const op = results.scenarios[0]!.operations[0]!;
    op.errors = { StoreTimeoutError: op.count }; // half of all attempts failed
    const [verdict] = only(results, 'errorRate(*) < 0.001');
    expect(verdict?.status).toBe('fail');
    expect(verdict?.measured).toBeCloseTo(0.5, 6);
  });

  it('wildcards expand to one verdict per scenario × profile × operation', () => {
    const verdicts = only(good, 'p99(*.*, polyglot*) < 1000ms');
    expect(verdicts).toHaveLength(ADR_SCENARIOS.length * 2);
    expect(verdicts[0]?.budget).toMatch(/\[realtime-detection \/ polyglot \/ request\]$/);
  });

  it('a budget over an errored, skipped or incomplete scenario is not evaluated: exit 2, or 1 with --skipped-as-fail', () => {
    for (const status of ['errored', 'skipped', 'incomplete'] as const) {
      const broken = syntheticResults({
        seed: 4,
        status: (s, p) => (s === 'realtime-detection' && p === 'polyglot' ? status : 'completed'),
      });
      const verdicts = only(broken, 'p99(realtime-detection.request, polyglot) < 1000ms');
      expect(verdicts.map((v) => v.status)).toEqual(['not-evaluated']);
      expect(verdicts[0]?.message).toContain(status);
      expect(exitCodeFor(verdicts)).toBe(2);
      expect(exitCodeFor(verdicts, { skippedAsFail: true })).toBe(1);
      // a wildcard budget cannot pass around the broken scenario either
      expect(exitCodeFor(only(broken, 'errorRate(*) < 0.001'))).toBe(2);
    }
  });

  it('one errored repeat out of three makes the budget not evaluated', () => {
    const results = syntheticResults({
      seed: 5,
      repeats: 3,
      status: (s, p, r) => (s === 'metrics-query' && r === 1 ? 'errored' : 'completed'),
    });
    expect(
      only(results, 'improvement(metrics-query.p50, polyglot vs single-postgres) >= 50%')[0]?.status,
    ).toBe('not-evaluated');
  });

  it('exit codes: all pass 0, a breach 1, nothing evaluated 2', () => {
    expect(exitCodeFor([])).toBe(2);
    expect(exitCodeFor(only(good, 'staleReads == 0'))).toBe(0);
    expect(exitCodeFor([...only(good, 'staleReads == 0'), ...only(good, 'staleReads > 5')])).toBe(1);
  });

  it('a budget selecting nothing, or naming an unknown metric/operation, is an input error naming the budget file', () => {
    expect(() => only(good, 'p99(no-such-scenario.request) < 1ms')).toThrow(BudgetSelectionError);
    expect(() => only(good, 'p99(no-such-scenario.request) < 1ms')).toThrow(
      /test\.yaml: budget .*no scenario matches "no-such-scenario" \(results have: realtime-detection/,
    );
    expect(() => only(good, 'p99(metrics-query.nope) < 1ms')).toThrow(
      /no operation matches "nope".*operations: query/,
    );
    expect(() => only(good, 'bogusMetric(metrics-query) < 1')).toThrow(/unknown metric "bogusMetric"/);
    expect(() => only(good, 'p99(lagz) < 1ms')).toThrow(/unknown distribution "lagz"/);
    expect(() => only(good, 'p99(metrics-query.query, nope) < 1ms')).toThrow(/no profile matches "nope"/);
  });

  it('repeats give a bootstrap CI; "at 95% confidence" judges on the unfavourable bound', () => {
    const results = syntheticResults({
      seed: 6,
      repeats: 8,
      profiles: ['polyglot'],
      noiseCv: 0.3,
      samplesPerOperation: 200,
      scenarios: [{ name: 'q', operations: [{ name: 'op', medianMs: 10 }] }],
    });
    const [point] = only(results, 'p50(q.op) < 12ms');
    expect(point?.confidenceInterval).toBeDefined();
    const [low, high] = point!.confidenceInterval!;
    expect(low).toBeLessThanOrEqual(point!.measured!);
    expect(high).toBeGreaterThanOrEqual(point!.measured!);
    // a limit between the median and the CI's upper bound passes on the point, fails on the bound
    const limit = (point!.measured! + high) / 2;
    expect(only(results, `p50(q.op) < ${limit.toFixed(3)}ms`)[0]?.status).toBe('pass');
    expect(only(results, `p50(q.op) < ${limit.toFixed(3)}ms at 95% confidence`)[0]?.status).toBe('fail');
    // reproducible from the run's seed
    expect(only(results, 'p50(q.op) < 12ms')).toEqual(only(results, 'p50(q.op) < 12ms'));
  });
});

describe('relative gates: noise and confirmation', () => {
  const shortfall = (seed: number) =>
    syntheticResults({
      seed,
      profiles: ['polyglot', 'single-postgres'],
      repeats: 3,
      factor: (_s, p) => (p === 'polyglot' ? 0.55 : 1), // 45 % improvement: 5 pp short of 50 %
      scenarios: [{ name: 'metrics-query', operations: [{ name: 'query', medianMs: 3 }] }],
    });
  const expr = 'improvement(metrics-query.query.p50, polyglot vs single-postgres) >= 50%';
  const noise = (cv: number): NoiseFile => ({
    kind: 'dalbench-noise',
    schemaVersion: 1,
    createdAt: '2025-01-01T00:00:00Z',
    runs: ['a', 'b'],
    maxCv: 0.25,
    entries: ['polyglot', 'single-postgres'].map((profile) => ({
      scenario: 'metrics-query',
      profile,
      metric: 'query.p50',
      runs: 5,
      mean: 3000,
      cv,
      tooNoisy: cv > 0.25,
    })),
  });

  it('without noise.json a 45 % improvement fails a 50 % gate', () => {
    expect(only(shortfall(7), expr)[0]?.status).toBe('fail');
  });

  it('with noise.json, a shortfall inside the measured noise is "not confirmed", one beyond it fails, a too-noisy metric is not gated', () => {
    const results = shortfall(7);
    const within = evaluateBudgets(results, set([expr]), { noise: noise(0.2) })[0];
    expect(within).toMatchObject({ status: 'pass', confirmation: 'not-confirmed' });
    expect(within?.message).toMatch(/within noise/);
    expect(evaluateBudgets(results, set([expr]), { noise: noise(0.005) })[0]?.status).toBe('fail');
    expect(evaluateBudgets(results, set([expr]), { noise: noise(0.4) })[0]?.status).toBe('not-evaluated');
  });

  it('--confirm K re-runs the offending scenario × profiles and fails only if the regression holds', async () => {
    const results = shortfall(8);
    const outcomes = evaluateBudgetOutcomes(results, set([expr]));
    const requests: unknown[] = [];
    const holds = await confirmOutcomes(results, outcomes, {
      confirm: 3,
      rerun: (request) => {
        requests.push(request);
        return Promise.resolve(shortfall(9).scenarios);
      },
    });
    expect(requests).toEqual([
      { scenario: 'metrics-query', profiles: ['polyglot', 'single-postgres'], times: 3 },
    ]);
    expect(holds[0]?.verdict).toMatchObject({ status: 'fail', confirmation: 'confirmed' });

    const recovered = syntheticResults({
      seed: 10,
      profiles: ['polyglot', 'single-postgres'],
      repeats: 3,
      scenarios: [{ name: 'metrics-query', operations: [{ name: 'query', medianMs: 3 }] }],
    });
    const flaky = await confirmOutcomes(results, outcomes, {
      confirm: 3,
      rerun: () => Promise.resolve(recovered.scenarios),
    });
    expect(flaky[0]?.verdict).toMatchObject({ status: 'pass', confirmation: 'not-confirmed' });
    expect(flaky[0]?.verdict.message).toMatch(/^NOT CONFIRMED/);
  });
});

describe('a budget over an operation with no successful sample', () => {
  it('is not evaluated (exit 2), never a pass at "0 ms"', () => {
    const results = syntheticResults({ seed: 5, samplesPerOperation: 50 });
    const broken = {
      ...results,
      scenarios: results.scenarios.map((s) =>
        s.scenario === 'realtime-detection' && s.profile === 'polyglot'
          ? {
              ...s,
              operations: s.operations.map((o) => ({
                ...o,
                count: 0,
                throughput: 0,
                errors: { StoreTimeoutError: 12 },
              })),
            }
          : s,
      ),
    };
    const verdicts = evaluateBudgets(
      broken,
      resolveBudgetSet(
        { name: 't', budgets: [{ expr: 'p99(realtime-detection.request, polyglot) < 1000ms' }] },
        'inline',
      ),
    );
    expect(verdicts.map((v) => v.status)).toEqual(['not-evaluated']);
    expect(verdicts[0]?.message).toContain('no successful request operation (errors: StoreTimeoutError ×12)');
    expect(exitCodeFor(verdicts)).toBe(2);
  });
});

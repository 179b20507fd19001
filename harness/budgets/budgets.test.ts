import { describe, expect, it } from 'vitest';
import { syntheticResults, ADR_SCENARIOS, adrScenariosAtM } from '../report/fixtures/synthetic-results.ts';
import type { Results } from '../results/schema.ts';
import { confirmOutcomes } from './confirm.ts';
import { BudgetSelectionError, BudgetSyntaxError } from './errors.ts';
import { evaluateBudgetOutcomes, evaluateBudgets } from './evaluate.ts';
import { exitCodeFor, runExitCode } from './exit-code.ts';
import { assertBudgetNamesKnown, selectionOf } from './in-run.ts';
import { parseBudgetExpression } from './expression.ts';
import { loadBudgetSet, parseBudgetDocument } from './load.ts';
import { resolveBudgetSet } from './resolve.ts';
import type { NoiseFile } from '../stats/noise.ts';

const set = (exprs: string[]) =>
  resolveBudgetSet({ name: 't', budgets: exprs.map((expr) => ({ expr })) }, 'test.yaml');
const only = (results: Results, expr: string) => evaluateBudgets(results, set([expr]));

/** Every scenario × profile of `results` with `patch` applied where `where` holds. */
function patchRuns(
  results: Results,
  where: (s: Results['scenarios'][number]) => boolean,
  patch: (s: Results['scenarios'][number]) => Results['scenarios'][number],
): Results {
  return { ...results, scenarios: results.scenarios.map((s) => (where(s) ? patch(s) : s)) };
}

/** `share` of every operation's attempts failed (successes kept, errors added). */
function withErrorShare(s: Results['scenarios'][number], share: number): Results['scenarios'][number] {
  return {
    ...s,
    operations: s.operations.map((o) => ({
      ...o,
      errors: { StoreTimeoutError: Math.round((o.count * share) / (1 - share)) },
    })),
  };
}

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
  // The relative budgets are judged at size m: these results hold those scenarios as `--scale m` names them.
  const goodAtM = syntheticResults({ seed: 1, samplesPerOperation: 300, scenarios: adrScenariosAtM() });

  it('adr-024: every ADR target passes on results that meet them, and carries its ADR sentence', async () => {
    const adr = await loadBudgetSet('adr-024');
    expect(adr.budgets.length).toBeGreaterThanOrEqual(10);
    const verdicts = evaluateBudgets(goodAtM, adr);
    expect(verdicts.map((v) => [v.budget, v.status]).filter(([, s]) => s !== 'pass')).toEqual([]);
    expect(verdicts.every((v) => v.claim && v.message.startsWith('PASS'))).toBe(true);
    expect(exitCodeFor(verdicts)).toBe(0);
  });

  it('a metric the scenario withheld with a warning is not evaluated, with the reason; an unknown one stays an error', async () => {
    const adr = await loadBudgetSet('adr-024');
    const withheld = patchRuns(
      good,
      (s) => s.scenario === 'dashboard-reads',
      (s) => {
        const { cacheHitRatio: _dropped, ...metrics } = s.metrics;
        return {
          ...s,
          metrics,
          warnings: [
            'cacheHitRatio not reported: the DAL counted 0.93, Redis 0.45 (more than 2 points apart)',
          ],
        };
      },
    );
    const verdict = evaluateBudgets(withheld, adr).find((v) => v.budget.startsWith('cacheHitRatio'));
    expect(verdict?.status).toBe('not-evaluated');
    expect(verdict?.message).toMatch(/cacheHitRatio not reported .*Redis 0\.45/);
    const silent = patchRuns(
      withheld,
      (s) => s.scenario === 'dashboard-reads',
      (s) => ({ ...s, warnings: [] }),
    );
    expect(() => evaluateBudgets(silent, adr)).toThrow(/selects nothing: unknown metric "cacheHitRatio"/);
  });

  it('adr-024 gates errors, visibility timeouts and a fault that was never injected, and defines the overhead it reads', async () => {
    const adr = await loadBudgetSet('adr-024');
    const texts = adr.budgets.map((b) => b.text);
    expect(texts).toEqual(
      expect.arrayContaining([
        'errorRate(*, *) < 0.001',
        'visibilityTimeouts(cross-store-consistency, polyglot) == 0',
        'failedStoreSuccesses(failure-isolation, polyglot) == 0',
        'failedStoreErrors(failure-isolation, polyglot) > 0',
      ]),
    );
    expect(adr.budgets.find((b) => b.text.startsWith('crossStoreOverheadP50Ms'))?.claim).toBe(
      'Network Overhead: 5-10ms additional latency for cross-storage operations — coordination overhead = p50(parallel fan-out to time-series, search and object store) − p50(its slowest part alone), same run',
    );
    const failing = (results: Results) =>
      evaluateBudgets(results, adr)
        .filter((v) => v.status !== 'pass')
        .map((v) => [v.budget, v.status]);
    const base = goodAtM;
    // the fault was never injected: no error on the failed store's operations
    const neverInjected = patchRuns(
      base,
      (s) => s.scenario === 'failure-isolation',
      (s) => ({ ...s, metrics: { ...s.metrics, failedStoreErrors: 0 } }),
    );
    expect(failing(neverInjected)).toEqual([['failedStoreErrors(failure-isolation, polyglot) > 0', 'fail']]);
    const timedOut = patchRuns(
      base,
      (s) => s.scenario === 'cross-store-consistency',
      (s) => ({ ...s, counters: { ...s.counters, visibilityTimeouts: 2 } }),
    );
    expect(failing(timedOut)).toEqual([
      ['visibilityTimeouts(cross-store-consistency, polyglot) == 0', 'fail'],
    ]);
    // 1 % of polyglot's requests failed: errorRate fails (and the latency gate is not evaluated)
    const erring = patchRuns(
      base,
      (s) => s.scenario === 'realtime-detection' && s.profile === 'polyglot',
      (s) => ({ ...withErrorShare(s, 0.01), metrics: { ...s.metrics, errorRate: 0.01 } }),
    );
    expect(failing(erring)).toEqual([
      ['p99(realtime-detection.request, polyglot) < 1000ms', 'not-evaluated'],
      ['errorRate(*, *) < 0.001 [realtime-detection / polyglot]', 'fail'],
    ]);
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
      if (status !== 'skipped') {
        // a wildcard budget cannot pass around the broken scenario either
        expect(exitCodeFor(only(broken, 'errorRate(*) < 0.001'))).toBe(2);
      }
    }
  });

  it('a wildcard budget lists a pair skipped with its reason (e.g. failure-isolation on single-postgres) as not in this run, unless it skipped everything', () => {
    const inapplicable = syntheticResults({
      seed: 4,
      status: (s, p) => (s === 'failure-isolation' && p === 'single-postgres' ? 'skipped' : 'completed'),
    });
    const verdicts = only(inapplicable, 'errorRate(*, *) < 0.001');
    const skipped = verdicts.filter((v) => v.status !== 'pass');
    expect(skipped.map((v) => [v.budget, v.status])).toEqual([
      ['errorRate(*, *) < 0.001 [failure-isolation / single-postgres]', 'not-in-run'],
    ]);
    expect(skipped[0]?.message).toMatch(
      /^NOT IN THIS RUN: failure-isolation\/single-postgres#0 skipped \(synthetic skipped\)/,
    );
    expect(exitCodeFor(verdicts)).toBe(0);
    // named explicitly, the same pair cannot be judged: not evaluated
    expect(only(inapplicable, 'errorRate(failure-isolation, single-postgres) < 0.001')[0]?.status).toBe(
      'not-evaluated',
    );
    // a wildcard that found nothing but skipped pairs judged nothing: not evaluated
    const allSkipped = syntheticResults({ seed: 4, status: () => 'skipped' });
    const none = only(allSkipped, 'errorRate(*, *) < 0.001');
    expect(new Set(none.map((v) => v.status))).toEqual(new Set(['not-evaluated']));
    expect(exitCodeFor(none)).toBe(2);
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

  it('with noise.json, a shortfall inside the measured noise is inconclusive (never a pass), one beyond it fails, a too-noisy metric is not gated', () => {
    const results = shortfall(7);
    const within = evaluateBudgets(results, set([expr]), { noise: noise(0.2) })[0];
    expect(within).toMatchObject({ status: 'inconclusive' });
    expect(within?.message).toMatch(/^INCONCLUSIVE \(within noise\): .* inside the measured noise band/);
    // inconclusive cannot conclude: exit 2, 1 with --skipped-as-fail, no effect with --allow-inconclusive
    expect(exitCodeFor([within!])).toBe(2);
    expect(exitCodeFor([within!], { skippedAsFail: true })).toBe(1);
    expect(exitCodeFor([within!], { allowInconclusive: true })).toBe(0);
    const breach = evaluateBudgets(results, set([expr]), { noise: noise(0.005) })[0]!;
    expect(exitCodeFor([within!, breach], { allowInconclusive: true })).toBe(1);
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
      { scenario: 'metrics-query', profiles: ['polyglot', 'single-postgres'], driver: 'dal', times: 3 },
    ]);
    expect(holds[0]?.verdict).toMatchObject({ status: 'fail', confirmation: 'confirmed' });
    expect(holds[0]?.verdict.message).toMatch(/pooled over 3 runs \+ 3 re-runs/);

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
    // pooled (3 failing runs + 3 recovered re-runs) the improvement holds; no noise was measured, so
    // nothing may call it "within noise"
    expect(flaky[0]?.verdict).toMatchObject({ status: 'pass', confirmation: 'not-confirmed' });
    expect(flaky[0]?.verdict.message).toMatch(/^NOT CONFIRMED: .*pooled over 3 runs \+ 3 re-runs/);
    expect(flaky[0]?.verdict.message).not.toMatch(/noise/);
  });

  it('--confirm pools the failing run with its re-runs: good re-runs alone cannot turn a clear failure into a pass', async () => {
    const clear = syntheticResults({
      seed: 11,
      profiles: ['polyglot', 'single-postgres'],
      repeats: 3,
      factor: (_s, p) => (p === 'polyglot' ? 0.9 : 1), // 10 % improvement against a 50 % gate
      scenarios: [{ name: 'metrics-query', operations: [{ name: 'query', medianMs: 3 }] }],
    });
    const outcomes = evaluateBudgetOutcomes(clear, set([expr]));
    expect(outcomes[0]?.verdict.status).toBe('fail');
    const lucky = syntheticResults({
      seed: 12,
      profiles: ['polyglot', 'single-postgres'],
      repeats: 3, // 60 % improvement on their own
      scenarios: [{ name: 'metrics-query', operations: [{ name: 'query', medianMs: 3 }] }],
    });
    const [judged] = await confirmOutcomes(clear, outcomes, {
      confirm: 3,
      rerun: () => Promise.resolve(lucky.scenarios),
    });
    expect(judged?.verdict).toMatchObject({ status: 'fail', confirmation: 'confirmed' });
  });

  it('--confirm re-runs an inconclusive relative gate too, and the pooled data decide', async () => {
    const results = shortfall(7);
    const outcomes = evaluateBudgetOutcomes(results, set([expr]), { noise: noise(0.2) });
    expect(outcomes[0]?.verdict.status).toBe('inconclusive');
    let reruns = 0;
    const [judged] = await confirmOutcomes(results, outcomes, {
      confirm: 3,
      noise: noise(0.2),
      rerun: () => {
        reruns++;
        return Promise.resolve(shortfall(13).scenarios);
      },
    });
    expect(reruns).toBe(1);
    expect(['inconclusive', 'fail']).toContain(judged?.verdict.status);
    expect(judged?.verdict.message).toMatch(/pooled over 3 runs \+ 3 re-runs/);
  });
});

describe('a budget "at 95% confidence" needs two samples per side', () => {
  it('with one sample it is not evaluated and says how many repeats it needs', () => {
    const one = syntheticResults({ seed: 14, profiles: ['polyglot', 'single-postgres'] });
    for (const expr of [
      'p50(metrics-query.query, polyglot) < 100ms at 95% confidence',
      'improvement(metrics-query.query.p50, polyglot vs single-postgres) >= 10% at 95% confidence',
      'cacheHitRatio(dashboard-reads, polyglot) >= 0.5 at 95% confidence',
    ]) {
      const verdicts = only(one, expr);
      expect(
        verdicts.map((v) => v.status),
        expr,
      ).toEqual(['not-evaluated']);
      expect(verdicts[0]?.message, expr).toMatch(/needs --repeat ≥ 2 per profile; got 1/);
    }
    // without a confidence level the point estimate is judged as before
    expect(only(one, 'p50(metrics-query.query, polyglot) < 100ms')[0]?.status).toBe('pass');
    const two = syntheticResults({ seed: 15, repeats: 2, profiles: ['polyglot', 'single-postgres'] });
    expect(only(two, 'p50(metrics-query.query, polyglot) < 100ms at 95% confidence')[0]?.status).toBe('pass');
  });
});

describe('operation budgets and errors', () => {
  const base = syntheticResults({
    seed: 16,
    profiles: ['polyglot', 'single-postgres'],
    samplesPerOperation: 2000,
    scenarios: [
      {
        name: 'metrics-query',
        operations: [{ name: 'query', medianMs: 3 }],
        metrics: { cacheHitRatio: 0.95 },
      },
    ],
  });
  const exprs = [
    'p99(metrics-query.query, polyglot) < 1000ms',
    'throughput(metrics-query.query, polyglot) >= 1 ops/s',
    'improvement(metrics-query.query.p50, polyglot vs single-postgres) >= 10%',
  ];
  const erring = (share: number) =>
    patchRuns(
      base,
      (s) => s.profile === 'polyglot',
      (s) => withErrorShare(s, share),
    );

  it('a latency, throughput or improvement budget over an operation with more than 0.1 % errors is not evaluated, with the share', () => {
    for (const expr of exprs) {
      expect(only(base, expr)[0]?.status, expr).toBe('pass');
      const [verdict] = only(erring(0.01), expr);
      expect(verdict?.status, expr).toBe('not-evaluated');
      expect(verdict?.message, expr).toMatch(
        /metrics-query\/polyglot#0: query error share 1(\.0)?% > 0\.1% \(\d+ errors of \d+ attempts\)/,
      );
      expect(exitCodeFor(only(erring(0.01), expr))).toBe(2);
      // at the limit it is judged
      expect(only(erring(0.0005), expr)[0]?.status, expr).toBe('pass');
    }
    // a scalar budget is not an operation budget: errorRate gates errors there
    expect(only(erring(0.01), 'cacheHitRatio(metrics-query, polyglot) >= 0.9')[0]?.status).toBe('pass');
    expect(only(erring(0.01), 'errorRate(metrics-query, polyglot) < 0.001')[0]?.status).toBe('fail');
  });

  it('the limit is set per budget set, per budget or by option, and validated', () => {
    const withLimit = (limit: unknown, where: 'set' | 'budget') =>
      resolveBudgetSet(
        where === 'set'
          ? { name: 't', maxErrorShare: limit, budgets: exprs.map((expr) => ({ expr })) }
          : { name: 't', budgets: exprs.map((expr) => ({ expr, maxErrorShare: limit })) },
        'limits.yaml',
      );
    for (const where of ['set', 'budget'] as const) {
      const verdicts = evaluateBudgets(erring(0.01), withLimit(0.05, where));
      expect(
        verdicts.map((v) => v.status),
        where,
      ).toEqual(['pass', 'pass', 'pass']);
    }
    expect(evaluateBudgets(erring(0.01), set(exprs), { maxErrorShare: 0.02 }).map((v) => v.status)).toEqual([
      'pass',
      'pass',
      'pass',
    ]);
    // a budget's own limit wins over the set's; the option wins over both
    expect(evaluateBudgets(erring(0.01), withLimit(0.05, 'set'), { maxErrorShare: 0 })[0]?.status).toBe(
      'not-evaluated',
    );
    expect(() => withLimit(1.5, 'set')).toThrow(/limits\.yaml: maxErrorShare: /);
    expect(() => withLimit(-0.1, 'budget')).toThrow(/limits\.yaml: budgets\[0\]\.maxErrorShare: /);
  });
});

describe('budgets over what the run did not select', () => {
  const known = {
    scenarios: ADR_SCENARIOS.map((s) => s.name),
    profiles: ['polyglot', 'single-postgres', 'polyglot-nocache'],
  };
  const subset = (scenarios: string[], profiles: string[]): Results => {
    const results = syntheticResults({
      seed: 17,
      profiles,
      scenarios: ADR_SCENARIOS.filter((s) => scenarios.includes(s.name)),
    });
    return { ...results, run: { ...results.run, config: { scenarios, profiles, driver: 'dal' } } };
  };

  it('--scenario metrics-query with adr-024: budgets over other scenarios are "not in this run" and do not change the exit code', async () => {
    const results = subset(['metrics-query'], ['polyglot', 'single-postgres']);
    const selection = selectionOf(results, known);
    const verdicts = evaluateBudgets(results, await loadBudgetSet('adr-024'), { selection });
    const evaluated = verdicts.filter((v) => v.status !== 'not-in-run').map((v) => v.budget);
    expect(evaluated).toEqual([
      'errorRate(*, *) < 0.001 [metrics-query / polyglot]',
      'errorRate(*, *) < 0.001 [metrics-query / single-postgres]',
    ]);
    // Its relative budget is judged at size m: this run measured metrics-query without --scale.
    expect(verdicts.find((v) => v.budget.startsWith('improvement(metrics-query@m.query.p50'))?.message).toBe(
      'NOT IN THIS RUN: judged at size m, which this run did not measure (it has metrics-query; run with --scale m)',
    );
    const notInRun = verdicts.filter((v) => v.status === 'not-in-run');
    expect(notInRun.length).toBeGreaterThan(8);
    expect(notInRun.find((v) => v.budget.startsWith('p99(realtime-detection'))?.message).toMatch(
      /^NOT IN THIS RUN: scenario "realtime-detection" was not selected \(this run: metrics-query\)/,
    );
    expect(notInRun.every((v) => v.measured === null)).toBe(true);
    expect(exitCodeFor(verdicts)).toBe(0);
    expect(exitCodeFor(notInRun)).toBe(0);
  });

  it('adr-024 judges its relative budgets at size m: a --scale m run evaluates them, results without that size list them as not in this run', async () => {
    const adr = await loadBudgetSet('adr-024');
    const relative = adr.budgets.filter((b) => b.text.startsWith('improvement(')).map((b) => b.text);
    expect(relative).toEqual([
      'improvement(metrics-query@m.query.p50, polyglot vs single-postgres) >= 50%',
      'improvement(experiment-search@m.search.p50, polyglot vs single-postgres) >= 50%',
      'improvement(metrics-ingest@m.ingest.throughput, polyglot vs single-postgres) >= 30%',
    ]);
    const scenarios = adrScenariosAtM().filter((s) => s.name.endsWith('@m'));
    const atM = syntheticResults({ seed: 18, profiles: ['polyglot', 'single-postgres'], scenarios });
    const names = scenarios.map((s) => s.name);
    const run = {
      ...atM,
      run: {
        ...atM.run,
        config: { scenarios: names, profiles: ['polyglot', 'single-postgres'], driver: 'dal' },
      },
    };
    const verdicts = evaluateBudgets(run, adr, { selection: selectionOf(run, known) });
    expect(verdicts.filter((v) => v.budget.startsWith('improvement(')).map((v) => v.status)).toEqual([
      'pass',
      'pass',
      'pass',
    ]);
    expect(verdicts.find((v) => v.budget.startsWith('p99(realtime-detection'))?.status).toBe('not-in-run');
    // Results that record no selection, without the size: still not in this run, never an error.
    const good = syntheticResults({ seed: 19, samplesPerOperation: 300 });
    const unsized = evaluateBudgets(good, adr).filter((v) => v.budget.startsWith('improvement('));
    expect(unsized.map((v) => v.status)).toEqual(['not-in-run', 'not-in-run', 'not-in-run']);
    expect(unsized[1]?.message).toMatch(/judged at size m, .*it has experiment-search; run with --scale m/);
    expect(exitCodeFor(evaluateBudgets(good, adr))).toBe(0);
  });

  it('a profile or baseline the run did not select is "not in this run"; a job whose profile was not selected too', () => {
    const results = subset(['metrics-query', 'migration'], ['polyglot']);
    // the migration job reports only for the profile it names: here it produced no row
    const noJobRow = { ...results, scenarios: results.scenarios.filter((s) => s.scenario !== 'migration') };
    const selection = selectionOf(noJobRow, known);
    const verdicts = evaluateBudgets(
      noJobRow,
      set([
        'improvement(metrics-query.query.p50, polyglot vs single-postgres) >= 50%',
        'p99(metrics-query.query, single-postgres) < 1s',
        'migrationMismatches(migration) == 0',
      ]),
      { selection },
    );
    expect(verdicts.map((v) => v.status)).toEqual(['not-in-run', 'not-in-run', 'not-in-run']);
    expect(verdicts[0]?.message).toMatch(/profile "single-postgres" was not selected \(this run: polyglot\)/);
    expect(verdicts[2]?.message).toMatch(/migration produced no result for the selected profiles/);
  });

  it("a budget that selects nothing within the run's selection stays an error (typo guard), before and after the run", () => {
    const results = subset(['metrics-query'], ['polyglot', 'single-postgres']);
    const selection = selectionOf(results, known);
    const judge = (expr: string) => evaluateBudgets(results, set([expr]), { selection });
    expect(() => judge('p99(metrics-quary.query) < 1ms')).toThrow(/no scenario matches "metrics-quary"/);
    expect(() => judge('p99(metrics-query.nope) < 1ms')).toThrow(/no operation matches "nope"/);
    expect(() => judge('p99(metrics-query.query, polyglott) < 1ms')).toThrow(
      /no profile matches "polyglott"/,
    );
    // before the run: names checked against every scenario and profile the run could select
    expect(() => assertBudgetNamesKnown(set(['p99(metrics-quary.query) < 1ms']), known)).toThrow(
      BudgetSelectionError,
    );
    expect(() =>
      assertBudgetNamesKnown(set(['improvement(metrics-query.p50, polyglot vs single-pg) >= 5%']), known),
    ).toThrow(/no profile matches "single-pg"/);
    expect(() => assertBudgetNamesKnown(set(['p99(*.*, polyglot) < 1s']), known)).not.toThrow();
  });

  it('results without a recorded selection (merged or older files) judge every budget as before', () => {
    const results = syntheticResults({ seed: 18, scenarios: ADR_SCENARIOS.slice(0, 1) });
    expect(selectionOf(results, known)).toBeUndefined();
  });
});

describe('drivers are part of every key', () => {
  const dalOnly = syntheticResults({
    seed: 19,
    profiles: ['polyglot', 'single-postgres'],
    scenarios: [{ name: 'dashboard-reads', operations: [{ name: 'read', medianMs: 1 }] }],
  });
  const slowHttp = syntheticResults({
    seed: 20,
    profiles: ['polyglot', 'single-postgres'],
    factor: (_s, p) => (p === 'polyglot' ? 5 : 6),
    scenarios: [{ name: 'dashboard-reads', operations: [{ name: 'read', medianMs: 1 }] }],
  });
  // --driver both: the runner records a dal and an http result per scenario × profile × repeat
  const both: Results = {
    ...dalOnly,
    scenarios: dalOnly.scenarios.flatMap((s, i) => [
      s,
      { ...slowHttp.scenarios[i]!, driver: 'http' as const },
    ]),
  };

  it('a budget without a driver judges each driver on its own, never as two repeats of one profile', () => {
    const verdicts = only(both, 'p50(dashboard-reads.read, polyglot) < 3ms');
    expect(verdicts.map((v) => [v.budget, v.status])).toEqual([
      ['p50(dashboard-reads.read, polyglot) < 3ms [dashboard-reads / polyglot / read / dal]', 'pass'],
      ['p50(dashboard-reads.read, polyglot) < 3ms [dashboard-reads / polyglot / read / http]', 'fail'],
    ]);
    expect(verdicts.every((v) => /single sample/.test(v.message))).toBe(true);
    const improvement = only(
      both,
      'improvement(dashboard-reads.read.p50, polyglot vs single-postgres) >= 10%',
    );
    expect(improvement).toHaveLength(2);
    expect(improvement[0]?.measured).toBeGreaterThan(40); // dal: 1 ms vs 2.5 ms
    expect(improvement[1]?.measured).toBeLessThan(30); // http: 5 ms vs 6 ms
  });

  it('driver=… selects one driver; the structured form and the text agree', () => {
    const parsed = parseBudgetExpression('p50(dashboard-reads.read, polyglot, driver=http) < 3ms');
    expect(parsed.metric).toMatchObject({ kind: 'latency', profile: 'polyglot', driver: 'http' });
    expect(parseBudgetExpression('improvement(a.p50, x vs y, driver=dal) >= 5%').metric).toMatchObject({
      kind: 'improvement',
      driver: 'dal',
    });
    expect(parseBudgetExpression('cacheHitRatio(a, x, driver=http) >= 0.9').metric).toMatchObject({
      kind: 'value',
      driver: 'http',
    });
    expect(() => parseBudgetExpression('p50(a.b, x, driver=grpc) < 1ms')).toThrow(
      /driver: expected dal or http/,
    );
    const verdicts = only(both, 'p50(dashboard-reads.read, polyglot, driver=http) < 3ms');
    expect(verdicts.map((v) => v.status)).toEqual(['fail']);
    expect(verdicts[0]?.budget).toBe('p50(dashboard-reads.read, polyglot, driver=http) < 3ms');
    const structured = resolveBudgetSet(
      {
        name: 's',
        budgets: [
          {
            metric: { kind: 'latency', stat: 'p50', scenario: 'a', operation: 'b', driver: 'http' },
            op: '<',
            limit: 3,
          },
        ],
      },
      's.json',
    );
    expect(structured.budgets[0]?.text).toBe('p50(a.b, *, driver=http) < 3ms');
    // a driver the results do not have selects nothing
    expect(() => only(dalOnly, 'p50(dashboard-reads.read, polyglot, driver=http) < 3ms')).toThrow(
      /no http driver result/,
    );
  });
});

describe('what was measured, when it differs from the ADR', () => {
  it('a verdict over time-series on partitioned PostgreSQL says so, with why TimescaleDB was not there', () => {
    const results = syntheticResults({
      seed: 21,
      profiles: ['polyglot'],
      scenarios: [{ name: 'metrics-query', operations: [{ name: 'query', medianMs: 3 }] }],
    });
    const fallback: Results = {
      ...results,
      run: { ...results.run, unavailableStores: { timescaledb: 'DALBENCH_TIMESCALE_URL is not set' } },
      scenarios: results.scenarios.map((s) => ({
        ...s,
        warnings: [
          "WARNING: TimescaleDB unavailable; time-series ran on the partitioned-PostgreSQL backend, not the ADR's choice",
          'operation presign not run on polyglot: no presigned URLs',
        ],
      })),
    };
    const [verdict] = only(fallback, 'p99(metrics-query.query, polyglot) < 1s');
    expect(verdict?.measuredOn).toEqual([
      'time-series on range-partitioned PostgreSQL, not TimescaleDB (DALBENCH_TIMESCALE_URL is not set)',
      'operation presign not run on polyglot: no presigned URLs',
    ]);
    expect(only(results, 'p99(metrics-query.query, polyglot) < 1s')[0]?.measuredOn).toBeUndefined();
  });
});

describe('the exit code of a run', () => {
  const results = (status: (s: string, p: string) => Results['scenarios'][number]['status']) =>
    syntheticResults({ seed: 22, profiles: ['polyglot', 'single-postgres'], status });
  it('an errored or incomplete scenario exits 2 with or without budgets; skipped stays 0; --allow-errors restores the old rule', () => {
    for (const bad of ['errored', 'incomplete'] as const) {
      const run = results((s, p) => (s === 'metrics-query' && p === 'polyglot' ? bad : 'completed'));
      const exit = runExitCode(run, undefined, {});
      expect(exit.code, bad).toBe(2);
      expect(exit.problems.join('\n')).toMatch(new RegExp(`metrics-query/polyglot#0 ${bad}`));
      expect(runExitCode(run, undefined, { allowErrors: true }).code).toBe(0);
    }
    const skipped = results((s, p) => (s === 'metrics-query' && p === 'polyglot' ? 'skipped' : 'completed'));
    expect(runExitCode(skipped, undefined, {}).code).toBe(0);
    // an interrupted run is incomplete whatever the flags
    const interrupted = results(() => 'completed');
    interrupted.run.status = 'incomplete';
    interrupted.run.incompleteReason = 'interrupted (SIGTERM): partial results';
    expect(runExitCode(interrupted, undefined, { allowErrors: true }).code).toBe(2);
    // with budgets: the worse of the two
    const good = results(() => 'completed');
    const breach = only(good, 'staleReads > 5');
    expect(runExitCode(good, breach, {}).code).toBe(1);
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

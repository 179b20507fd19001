// The string form of a budget, parsed strictly (anything not matching one of these shapes is an error):
//   p99(realtime-detection.request[, profile]) < 1000ms        latency of scenario.operation
//   p99(consistencyLag) <= 1s   |  p99(scenario:consistencyLag)  distribution (all scenarios / one)
//   throughput(metrics-ingest.ingest, polyglot) >= 500 ops/s
//   improvement(metrics-query.query.p50, polyglot vs single-postgres) >= 50%   (operation optional)
//   cacheHitRatio(dashboard-reads) >= 0.90  |  errorRate(*) < 0.001  |  staleReads == 0
// optionally followed by `at 95% confidence` (the CI bound must hold, not just the point estimate).
// Any form takes a last argument `driver=dal|http` to judge one driver's results only; without it
// each driver a run used is judged on its own.
import { LATENCY_STATS, type LatencyStat } from '../stats/samples.ts';
import { BUDGET_DRIVERS, COMPARATORS, type Comparator, type MetricRef } from './schema.ts';

export interface ParsedExpression {
  metric: MetricRef;
  op: Comparator;
  limit: number;
  confidence: number | undefined;
}

/** Thrown with a message saying what was expected; the loader adds file and line. */
export class ExpressionError extends Error {
  override name = 'ExpressionError';
}

const SHAPE =
  /^\s*([A-Za-z][\w.]*)\s*(?:\(([^()]*)\))?\s*(<=|>=|==|<|>)\s*(-?\d+(?:\.\d+)?(?:e-?\d+)?)\s*(ms|s|us|µs|%|ops\/s)?\s*(?:at\s+(\d+(?:\.\d+)?)\s*%\s*confidence)?\s*$/;
// `@` names a size of a `--scale` sweep: metrics-query@m.
const NAME = /^[\w*?@-]+$/;
const TIME_UNITS: Record<string, number> = { us: 0.001, µs: 0.001, ms: 1, s: 1000 };

function statOf(raw: string): LatencyStat | undefined {
  const normalized = raw === 'p99.9' ? 'p999' : raw;
  return (LATENCY_STATS as readonly string[]).includes(normalized) ? (normalized as LatencyStat) : undefined;
}

function name(raw: string | undefined, what: string): string {
  const value = raw?.trim() ?? '';
  if (!NAME.test(value))
    throw new ExpressionError(`${what}: expected a name or wildcard pattern, got "${raw ?? ''}"`);
  return value;
}

export function parseBudgetExpression(text: string): ParsedExpression {
  const match = SHAPE.exec(text);
  if (!match) {
    throw new ExpressionError(
      `cannot parse "${text}": expected e.g. "p99(scenario.operation) < 1000ms", "cacheHitRatio(scenario) >= 0.9", ` +
        `"improvement(scenario.p50, a vs b) >= 50%", "staleReads == 0" (optionally "at 95% confidence")`,
    );
  }
  const [, head = '', argText, opText, numberText = '', unitText, confidenceText] = match;
  const op = opText as Comparator;
  if (!COMPARATORS.includes(op)) throw new ExpressionError(`unknown comparator "${opText}"`);
  const allArgs = argText === undefined ? [] : argText.split(',').map((a) => a.trim());
  if (allArgs.some((a) => a === '')) throw new ExpressionError(`empty argument in "${text}"`);
  const driverArgs = allArgs.filter((a) => /^driver\s*=/.test(a));
  const args = allArgs.filter((a) => !/^driver\s*=/.test(a));
  if (driverArgs.length > 1) throw new ExpressionError(`driver given twice in "${text}"`);
  const driver = driverArgs[0] === undefined ? undefined : driverOf(driverArgs[0]);
  const withDriver = <M extends MetricRef>(metric: M): M => (driver ? { ...metric, driver } : metric);
  const value = Number(numberText);
  const confidence = confidenceText === undefined ? undefined : Number(confidenceText) / 100;
  if (confidence !== undefined && !(confidence > 0.5 && confidence < 1)) {
    throw new ExpressionError(`confidence must be between 50% and 100%, got ${confidenceText}%`);
  }
  const stat = statOf(head);
  const unit = unitText ?? '';

  if (stat) {
    if (args.length < 1 || args.length > 2)
      throw new ExpressionError(`${head}(target[, profile]) takes 1 or 2 arguments`);
    if (!(unit in TIME_UNITS))
      throw new ExpressionError(`${head}(...) needs a time unit (us, ms, s), got "${unit}"`);
    const limit = value * (TIME_UNITS[unit] ?? 1);
    const target = args[0] ?? '';
    const profile = args[1] === undefined ? '*' : name(args[1], 'profile');
    let metric: MetricRef;
    if (target.includes('.')) {
      const [scenario, operation, ...rest] = target.split('.');
      if (rest.length > 0) throw new ExpressionError(`"${target}": expected scenario.operation`);
      metric = {
        kind: 'latency',
        stat,
        scenario: name(scenario, 'scenario'),
        operation: name(operation, 'operation'),
        profile,
      };
    } else if (target.includes(':')) {
      const [scenario, distribution] = target.split(':');
      metric = {
        kind: 'distribution',
        stat,
        name: name(distribution, 'distribution'),
        scenario: name(scenario, 'scenario'),
        profile,
      };
    } else {
      metric = { kind: 'distribution', stat, name: name(target, 'distribution'), scenario: '*', profile };
    }
    return { metric: withDriver(metric), op, limit, confidence };
  }

  if (head === 'throughput') {
    if (args.length < 1 || args.length > 2)
      throw new ExpressionError('throughput(scenario.operation[, profile]) takes 1 or 2 arguments');
    if (unit !== '' && unit !== 'ops/s') throw new ExpressionError(`throughput is in ops/s, got "${unit}"`);
    const [scenario, operation, ...rest] = (args[0] ?? '').split('.');
    if (rest.length > 0 || operation === undefined)
      throw new ExpressionError(`"${args[0]}": expected scenario.operation`);
    return {
      metric: withDriver({
        kind: 'throughput',
        scenario: name(scenario, 'scenario'),
        operation: name(operation, 'operation'),
        profile: args[1] === undefined ? '*' : name(args[1], 'profile'),
      }),
      op,
      limit: value,
      confidence,
    };
  }

  if (head === 'improvement') {
    if (args.length !== 2)
      throw new ExpressionError(
        'improvement(scenario[.operation].stat, profile vs baseline) takes 2 arguments',
      );
    if (unit !== '%') throw new ExpressionError(`improvement is in %, got "${unit}"`);
    const parts = (args[0] ?? '').split('.');
    const statText = parts.at(-1) ?? '';
    const improvementStat = statText === 'throughput' ? 'throughput' : statOf(statText);
    if (!improvementStat || parts.length < 2 || parts.length > 3) {
      throw new ExpressionError(`"${args[0]}": expected scenario[.operation].<p50|p95|p99|...|throughput>`);
    }
    const versus = /^(\S+)\s+vs\s+(\S+)$/.exec(args[1] ?? '');
    if (!versus) throw new ExpressionError(`"${args[1]}": expected "profile vs baseline"`);
    return {
      metric: withDriver({
        kind: 'improvement',
        stat: improvementStat,
        scenario: name(parts[0], 'scenario'),
        operation: parts.length === 3 ? name(parts[1], 'operation') : '*',
        profile: name(versus[1], 'profile'),
        baseline: name(versus[2], 'baseline profile'),
      }),
      op,
      limit: value,
      confidence,
    };
  }

  if (args.length > 2) throw new ExpressionError(`${head}(scenario[, profile]) takes at most 2 arguments`);
  if (unit !== '' && unit !== '%')
    throw new ExpressionError(`${head} is a plain number (or %), got "${unit}"`);
  return {
    metric: withDriver({
      kind: 'value',
      name: name(head, 'metric'),
      scenario: args[0] === undefined ? '*' : name(args[0], 'scenario'),
      profile: args[1] === undefined ? '*' : name(args[1], 'profile'),
    }),
    op,
    limit: unit === '%' ? value / 100 : value,
    confidence,
  };
}

function driverOf(arg: string): (typeof BUDGET_DRIVERS)[number] {
  const value = arg.replace(/^driver\s*=\s*/, '');
  const known = BUDGET_DRIVERS.find((d) => d === value);
  if (!known) throw new ExpressionError(`driver: expected ${BUDGET_DRIVERS.join(' or ')}, got "${value}"`);
  return known;
}

/** The canonical text of a structured budget (what verdicts print). */
export function formatBudget(metric: MetricRef, op: Comparator, limit: number): string {
  // With a driver, the profile position is kept (`*`) so the text parses back to the same budget.
  const profile = (p: string) =>
    metric.driver ? `, ${p}, driver=${metric.driver}` : p === '*' ? '' : `, ${p}`;
  switch (metric.kind) {
    case 'latency':
      return `${metric.stat}(${metric.scenario}.${metric.operation}${profile(metric.profile)}) ${op} ${limit}ms`;
    case 'distribution': {
      const target = metric.scenario === '*' ? metric.name : `${metric.scenario}:${metric.name}`;
      return `${metric.stat}(${target}${profile(metric.profile)}) ${op} ${limit}ms`;
    }
    case 'throughput':
      return `throughput(${metric.scenario}.${metric.operation}${profile(metric.profile)}) ${op} ${limit} ops/s`;
    case 'improvement': {
      const operation = metric.operation === '*' ? '' : `.${metric.operation}`;
      const driver = metric.driver ? `, driver=${metric.driver}` : '';
      return `improvement(${metric.scenario}${operation}.${metric.stat}, ${metric.profile} vs ${metric.baseline}${driver}) ${op} ${limit}%`;
    }
    case 'value': {
      const args =
        metric.scenario === '*' && metric.profile === '*' && !metric.driver
          ? ''
          : `(${metric.scenario}${profile(metric.profile)})`;
      return `${metric.name}${args} ${op} ${limit}`;
    }
  }
}

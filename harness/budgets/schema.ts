// The one budget schema: TypeScript modules (`defineBudgets`), YAML and JSON all go through it.
// A budget is either a string expression (parsed strictly by expression.ts) or the structured form.
import { z } from 'zod';
import { LATENCY_STATS } from '../stats/samples.ts';

const selector = z
  .string()
  .min(1)
  .regex(/^[\w*?-]+$/, 'a name or wildcard pattern (letters, digits, -, _, *, ?)');
const latencyStat = z.enum(LATENCY_STATS);
export const COMPARATORS = ['<', '<=', '>', '>=', '=='] as const;
export type Comparator = (typeof COMPARATORS)[number];

/** Which driver's results a budget judges; without one, each driver is judged on its own. */
export const BUDGET_DRIVERS = ['dal', 'http'] as const;
const driver = z.enum(BUDGET_DRIVERS).optional();

/** An operation-level budget is not evaluated above this share of failed attempts (0.1 %). */
export const DEFAULT_MAX_ERROR_SHARE = 0.001;
/** errors / (successes + errors), from 0 to 1. */
export const errorShareSchema = z.number().min(0).max(1);

export const metricRefSchema = z.discriminatedUnion('kind', [
  /** Latency of an operation (ms), e.g. p99 of realtime-detection.request. */
  z.object({
    kind: z.literal('latency'),
    stat: latencyStat,
    scenario: selector,
    operation: selector,
    profile: selector.default('*'),
    driver,
  }),
  /** Successful operations per second. */
  z.object({
    kind: z.literal('throughput'),
    scenario: selector,
    operation: selector,
    profile: selector.default('*'),
    driver,
  }),
  /** A named non-operation distribution (ms), e.g. consistencyLag. */
  z.object({
    kind: z.literal('distribution'),
    stat: latencyStat,
    name: z.string().min(1),
    scenario: selector.default('*'),
    profile: selector.default('*'),
    driver,
  }),
  /** A scalar from `metrics` or `counters` (errorRate is derived from operations when not reported). */
  z.object({
    kind: z.literal('value'),
    name: z.string().min(1),
    scenario: selector.default('*'),
    profile: selector.default('*'),
    driver,
  }),
  /** % improvement of `profile` over `baseline` in the same run (latency: lower is better; throughput: higher). */
  z.object({
    kind: z.literal('improvement'),
    stat: z.union([latencyStat, z.literal('throughput')]),
    scenario: selector,
    operation: selector.default('*'),
    profile: selector,
    baseline: selector,
    driver,
  }),
]);
export type MetricRef = z.infer<typeof metricRefSchema>;

const common = {
  /** The ADR sentence this budget encodes. */
  claim: z.string().min(1).optional(),
  /** Require the CI bound (not just the point estimate) to hold at this confidence, e.g. 0.95. */
  confidence: z.number().gt(0.5).lt(1).optional(),
  /** Operation-level budgets (latency, throughput, improvement): not evaluated above this error share. */
  maxErrorShare: errorShareSchema.optional(),
};

export const structuredBudgetSchema = z.object({
  ...common,
  name: z.string().min(1).optional(),
  metric: metricRefSchema,
  op: z.enum(COMPARATORS),
  /** In the metric's unit: ms for latency and distributions, % for improvement, ops/s, or the raw scalar. */
  limit: z.number().finite(),
});

export const expressionBudgetSchema = z.object({ ...common, expr: z.string().min(1) }).strict();

export const budgetInputSchema = z.union([expressionBudgetSchema, structuredBudgetSchema.strict()]);
export type BudgetInput = z.input<typeof budgetInputSchema>;

export const budgetSetInputSchema = z
  .object({
    name: z.string().min(1),
    description: z.string().optional(),
    /** Default error-share limit of this set's operation-level budgets (default 0.001). */
    maxErrorShare: errorShareSchema.optional(),
    budgets: z.array(budgetInputSchema).min(1),
  })
  .strict();
export type BudgetSetInput = z.input<typeof budgetSetInputSchema>;

/** A resolved budget: structured, with the text a human reads in verdicts. */
export interface Budget {
  text: string;
  claim: string | undefined;
  metric: MetricRef;
  op: Comparator;
  limit: number;
  unit: string;
  confidence: number | undefined;
  /** This budget's own error-share limit; else the set's; else DEFAULT_MAX_ERROR_SHARE. */
  maxErrorShare: number | undefined;
}

export interface BudgetSet {
  name: string;
  description: string | undefined;
  /** Where it came from (file path or built-in name), for error messages. */
  source: string;
  maxErrorShare: number | undefined;
  budgets: readonly Budget[];
}

export function unitOf(metric: MetricRef): string {
  switch (metric.kind) {
    case 'latency':
    case 'distribution':
      return 'ms';
    case 'throughput':
      return 'ops/s';
    case 'improvement':
      return '%';
    case 'value':
      return '';
  }
}

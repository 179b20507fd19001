// Raw budget-set data (from a module, YAML or JSON) → a validated, resolved BudgetSet. Every error
// names the source file, the line when the caller can locate a path, and the field.
import type { z } from 'zod';
import { BudgetSyntaxError } from './errors.ts';
import { ExpressionError, formatBudget, parseBudgetExpression } from './expression.ts';
import { budgetSetInputSchema, unitOf, type Budget, type BudgetSet } from './schema.ts';

/** Maps a path inside the document (e.g. ['budgets', 2, 'expr']) to a 1-based line, when known. */
export type LineLocator = (path: readonly PropertyKey[]) => number | undefined;

export function resolveBudgetSet(
  raw: unknown,
  source: string,
  locate: LineLocator = () => undefined,
): BudgetSet {
  const parsed = budgetSetInputSchema.safeParse(raw);
  if (!parsed.success) throw schemaError(parsed.error, source, locate);
  const budgets: Budget[] = parsed.data.budgets.map((input, index) => {
    if ('expr' in input) {
      try {
        const expression = parseBudgetExpression(input.expr);
        return {
          text: input.expr.trim(),
          claim: input.claim,
          metric: expression.metric,
          op: expression.op,
          limit: expression.limit,
          unit: unitOf(expression.metric),
          confidence: input.confidence ?? expression.confidence,
          maxErrorShare: input.maxErrorShare,
        };
      } catch (error) {
        if (!(error instanceof ExpressionError)) throw error;
        const path = ['budgets', index, 'expr'];
        const line = locate(path);
        throw new BudgetSyntaxError(source, `budgets[${index}].expr: ${error.message}`, {
          cause: error,
          ...(line ? { line } : {}),
        });
      }
    }
    return {
      text: input.name ?? formatBudget(input.metric, input.op, input.limit),
      claim: input.claim,
      metric: input.metric,
      op: input.op,
      limit: input.limit,
      unit: unitOf(input.metric),
      confidence: input.confidence,
      maxErrorShare: input.maxErrorShare,
    };
  });
  return {
    name: parsed.data.name,
    description: parsed.data.description,
    source,
    maxErrorShare: parsed.data.maxErrorShare,
    budgets,
  };
}

/**
 * The issue to report: for a budget matching neither form (expression or structured), the form it came
 * closest to (fewest issues), so the message names the field, e.g. budgets[0].maxErrorShare.
 */
function innermost(issue: z.core.$ZodIssue): z.core.$ZodIssue {
  if (issue.code !== 'invalid_union' || issue.errors.length === 0) return issue;
  const closest = [...issue.errors].sort((a, b) => a.length - b.length)[0];
  const inner = closest?.[0];
  return inner ? innermost({ ...inner, path: [...issue.path, ...inner.path] }) : issue;
}

function schemaError(error: z.ZodError, source: string, locate: LineLocator): BudgetSyntaxError {
  const first = error.issues[0];
  const issue = first ? innermost(first) : undefined;
  const path = issue?.path ?? [];
  const field = path
    .map((p) => (typeof p === 'number' ? `[${p}]` : `.${String(p)}`))
    .join('')
    .replace(/^\./, '');
  const line = locate(path);
  return new BudgetSyntaxError(source, `${field || '(root)'}: ${issue?.message ?? 'invalid'}`, {
    cause: error,
    ...(line ? { line } : {}),
  });
}

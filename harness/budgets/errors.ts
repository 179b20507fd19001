// Budget errors are input errors (exit 2): the message names the budget file, line where known, and field.
import { InputError } from '../results/input-error.ts';

/** A budget expression or structured budget that does not parse/validate. */
export class BudgetSyntaxError extends InputError {
  override name = 'BudgetSyntaxError';
}

/** A budget that selects nothing, or names a metric/operation/scenario the results do not have. */
export class BudgetSelectionError extends Error {
  override name = 'BudgetSelectionError';
  constructor(
    readonly budget: string,
    readonly source: string,
    problem: string,
  ) {
    super(`${source}: budget "${budget}": ${problem}`);
  }
}

// `defineBudgets` for TypeScript budget modules: typed input, validated by the same schema as YAML/JSON
// when the module is loaded (so errors name the module's file).
import type { BudgetSetInput } from './schema.ts';

export function defineBudgets(set: BudgetSetInput): BudgetSetInput {
  return set;
}

// A scenario without some operations, for a profile that cannot run them (e.g. presigned URLs on
// PostgreSQL). Rebuilt through defineScenario so the variant is validated like any scenario.
import { defineScenario, type Scenario } from '../workload/scenario.ts';

export function withoutOperations<Sut>(scenario: Scenario<Sut>, names: readonly string[]): Scenario<Sut> {
  if (names.length === 0) return scenario;
  const { kind: _kind, operations, ...rest } = scenario;
  void _kind;
  return defineScenario<Sut>({
    ...rest,
    data: { ...rest.data },
    phases: { ...rest.phases },
    stores: [...rest.stores],
    operations: operations
      .filter((op) => !names.includes(op.name))
      .map((op) => ({ ...op, keys: { ...op.keys }, run: op.run.bind(op) })),
  });
}

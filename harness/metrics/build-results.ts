// Assemble results.json from the run metadata and each scenario × profile result: the harness's
// self-monitoring is summarised run-wide, and the whole is validated against the schema so a
// writer can never emit what a reader would refuse.
import {
  RESULTS_SCHEMA_VERSION,
  resultsSchema,
  type Results,
  type ScenarioResult,
} from '../results/schema.ts';
import type { RunMetadataBase } from './run-metadata.ts';

export interface RunEnd {
  readonly finishedAt?: Date;
  /** Set when the run as a whole was cut short (Ctrl-C, a provisioning failure mid-run). */
  readonly incompleteReason?: string;
}

export function buildResults(
  meta: RunMetadataBase,
  scenarios: readonly ScenarioResult[],
  end: RunEnd = {},
): Results {
  const incompleteScenarios = scenarios.filter((s) => s.status === 'incomplete');
  const incompleteReason =
    end.incompleteReason ??
    (incompleteScenarios.length > 0
      ? `${incompleteScenarios.length} scenario run(s) incomplete: ${incompleteScenarios.map((s) => `${s.scenario}/${s.profile}`).join(', ')}`
      : undefined);
  let scheduled = 0;
  let late = 0;
  let loopP99 = 0;
  const warnings: string[] = [];
  for (const s of scenarios) {
    scheduled += s.counters.scheduledOps ?? 0;
    late += s.counters.lateStarts ?? 0;
    loopP99 = Math.max(loopP99, s.metrics.harnessEventLoopDelayP99Ms ?? 0);
    for (const w of s.warnings)
      if (w.startsWith('generator bottleneck')) warnings.push(`${s.scenario}/${s.profile}: ${w}`);
  }
  return resultsSchema.parse({
    kind: 'dalbench-results',
    schemaVersion: RESULTS_SCHEMA_VERSION,
    run: {
      ...meta,
      finishedAt: (end.finishedAt ?? new Date()).toISOString(),
      status: incompleteReason === undefined ? 'complete' : 'incomplete',
      ...(incompleteReason === undefined ? {} : { incompleteReason }),
      harness: {
        eventLoopDelayP99Ms: loopP99,
        lateStartShare: scheduled > 0 ? late / scheduled : 0,
        // maxRSS is KiB (Linux, macOS: normalised by Node); the process's peak so far, which is the run's.
        peakRssMb: Math.round((process.resourceUsage().maxRSS / 1024) * 10) / 10,
        warnings,
      },
    },
    scenarios,
  });
}

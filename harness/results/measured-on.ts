// What a run actually measured where it differs from the ADR's stack (TimescaleDB, Elasticsearch,
// S3, Redis, PostgreSQL), in words a verdict can carry: from the scenario results' warnings (per
// verdict) and the stores' notes (per run). A report must never let a figure measured on a stand-in
// read as a figure about the ADR's choice.
import type { Results, RunMemory } from './schema.ts';

/** The profile's warning when time-series fell back (reference-dal/profiles/builtin-profiles.ts). */
const TIMESCALE_FALLBACK = /TimescaleDB unavailable/i;

function timescaleFallback(unavailable: Readonly<Record<string, string>> | undefined): string {
  return `time-series on range-partitioned PostgreSQL, not TimescaleDB (${unavailable?.['timescaledb'] ?? 'no TimescaleDB reachable'})`;
}

/** The judged runs' warnings, each once, the TimescaleDB fallback said plainly with its reason. */
export function measuredOnFromWarnings(
  warnings: readonly string[],
  unavailable: Readonly<Record<string, string>> | undefined,
): string[] {
  const lines = warnings.map((w) =>
    TIMESCALE_FALLBACK.test(w) ? timescaleFallback(unavailable) : w.replace(/^WARNING:\s*/, ''),
  );
  return [...new Set(lines)];
}

/** Run level: every store with its server and notes (S3 server, Elasticsearch heap, …), and what did not come up. */
export function runMeasuredOn(results: Results): string[] {
  const run = results.run;
  const fellBack = results.scenarios.some((s) => s.warnings.some((w) => TIMESCALE_FALLBACK.test(w)));
  const stores = run.stores.map(
    (s) => `${s.kind} ${s.serverVersion} (${s.mode})${s.notes.length > 0 ? `: ${s.notes.join('; ')}` : ''}`,
  );
  const missing = Object.entries(run.unavailableStores ?? {})
    .filter(([kind]) => !(fellBack && kind === 'timescaledb'))
    .map(([kind, why]) => `${kind} unavailable: ${why}`);
  return [
    ...(fellBack ? [timescaleFallback(run.unavailableStores)] : []),
    ...stores,
    ...missing,
    ...(run.memory ? [memoryLine(run.memory)] : []),
  ];
}

/** One line for a report: the budget, and what each profile had. */
export function memoryLine(memory: RunMemory): string {
  const each = memory.profiles
    .map((p) => {
      const parts = [
        ...(p.postgresSharedBuffersMb === undefined
          ? []
          : [`shared_buffers ${p.postgresSharedBuffersMb} MiB`]),
        ...(p.elasticsearchHeapMb === undefined ? [] : [`Elasticsearch heap ${p.elasticsearchHeapMb} MiB`]),
      ];
      return `${p.profile} ${parts.length > 0 ? parts.join(' + ') : 'none sized'}`;
    })
    .join('; ');
  const head = memory.equalised
    ? `memory per profile: ${memory.budgetMb} MiB each`
    : `memory per profile: not equalised (${memory.why ?? 'unknown reason'})`;
  return `${head}: ${each} (PostgreSQL shared_buffers and Elasticsearch heap; Redis, S3Proxy and the OS page cache not counted; ${memory.basis})`;
}

// What a kept dataset holds in the stores its marker cannot see: counted when the load finished and
// again before a reuse. The marker lives in the transactional database, so a hand-deleted index,
// an emptied bucket or a dropped time-series database would otherwise be "reused" and measured
// half-empty; a changed count means the data is loaded afresh instead.
import type { DataAccessLayer } from '../dal/data-access-layer.ts';

/** Count per part of the dataset: `points`, `documents:<collection>`, `objects`. */
export type DatasetInventory = Readonly<Record<string, number>>;

/** Objects are listed, and each listing heads its objects: count the first ones only. */
export const OBJECTS_COUNTED = 1_000;

export async function takeInventory(
  dal: DataAccessLayer,
  collections: readonly string[],
): Promise<DatasetInventory> {
  const counts: Record<string, number> = {};
  if (dal.has('timeseries')) counts.points = await dal.timeSeries.countPoints();
  if (dal.has('document')) {
    for (const collection of collections) {
      counts[`documents:${collection}`] = await dal.documents.count(collection);
    }
  }
  if (dal.has('object')) counts.objects = (await dal.objects.list('', { limit: OBJECTS_COUNTED })).length;
  return counts;
}

/** How `now` differs from what the load left (`recorded`), e.g. "documents:experiments 500 → 0"; empty if not. */
export function inventoryChanges(recorded: DatasetInventory, now: DatasetInventory): string[] {
  const parts = [...new Set([...Object.keys(recorded), ...Object.keys(now)])].sort();
  return parts.flatMap((part) =>
    recorded[part] === now[part] ? [] : [`${part} ${recorded[part] ?? 'absent'} → ${now[part] ?? 'absent'}`],
  );
}

/** Parse an inventory read back from the marker; anything else (an older marker has none) is undefined. */
export function parseInventory(value: unknown): DatasetInventory | undefined {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return undefined;
  const entries = Object.entries(value);
  return entries.every(([, n]) => Number.isInteger(n) && (n as number) >= 0)
    ? Object.fromEntries(entries as [string, number][])
    : undefined;
}

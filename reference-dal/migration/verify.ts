// Verification per data type: row counts and an order-independent digest of canonical content on
// both sides (metadata rows; metrics by (name, ts, value, tags); documents by collection, id, body
// and version; objects by the SHA-256 of their bytes, type and metadata). The source is walked in
// keyset batches and each batch's records are fetched from the target, so the first differing record
// (in source order) is named; a target holding records the source lacks shows in the count and,
// where the port can list (metadata, objects), by the first extra key.
import type pg from 'pg';
import type { DataAccessLayer } from '../dal/data-access-layer.ts';
import { dataTypeSpecs, type DataType } from './data-types.ts';
import { SetDigest } from './digest.ts';
import { resolveBatchSize } from './run-migration.ts';

export interface TypeVerification {
  readonly dataType: DataType;
  readonly sourceCount: number;
  readonly targetCount: number;
  readonly sourceDigest: string;
  readonly targetDigest: string;
  readonly equal: boolean;
  /** The first differing record and how it differs, when not equal. */
  readonly firstDifference?: string;
}

export async function verifyMigration(
  source: pg.Pool,
  target: DataAccessLayer,
  options: { batchSize?: number } = {},
): Promise<TypeVerification[]> {
  const batchSize = resolveBatchSize(options.batchSize);
  const rows: TypeVerification[] = [];
  for (const spec of dataTypeSpecs()) {
    const sourceDigest = new SetDigest();
    const targetDigest = new SetDigest();
    let firstDifference: string | undefined;
    let cursor: readonly string[] | undefined;
    for (;;) {
      const batch = await spec.read(source, cursor, batchSize);
      if (batch.rows.length === 0) break;
      cursor = batch.cursor;
      const stored = await spec.targetRecords(target, batch.rows);
      for (const row of batch.rows) {
        const record = spec.sourceRecord(row);
        sourceDigest.add(record.hash);
        const found = stored.get(record.key);
        if (found !== undefined && !found.startsWith('!')) targetDigest.add(found);
        if (firstDifference === undefined && found !== record.hash) {
          firstDifference =
            found === undefined
              ? `${spec.name} ${record.key}: missing in the target`
              : found.startsWith('!')
                ? `${spec.name} ${record.key}: unreadable in the target (${found.slice(1)})`
                : `${spec.name} ${record.key}: content differs (source ${record.hash.slice(0, 12)}, target ${found.slice(0, 12)})`;
        }
      }
    }
    const sourceCount = await spec.sourceCount(source);
    const targetCount = await spec.targetCount(target, source);
    if (firstDifference === undefined && targetCount !== sourceCount) {
      firstDifference = `${spec.name}: the target holds ${targetCount} records, the source ${sourceCount}`;
      if (spec.targetKeys && targetCount > sourceCount) {
        const known = new Set<string>();
        let c: readonly string[] | undefined;
        for (;;) {
          const batch = await spec.read(source, c, batchSize);
          if (batch.rows.length === 0) break;
          c = batch.cursor;
          for (const row of batch.rows) known.add(spec.sourceRecord(row).key);
        }
        const extra = (await spec.targetKeys(target)).find((key) => !known.has(key));
        if (extra !== undefined)
          firstDifference = `${spec.name} ${extra}: in the target but not in the source`;
      }
    }
    rows.push({
      dataType: spec.name,
      sourceCount,
      targetCount,
      sourceDigest: sourceDigest.hex,
      targetDigest: targetDigest.hex,
      equal: firstDifference === undefined,
      ...(firstDifference === undefined ? {} : { firstDifference }),
    });
  }
  return rows;
}

/** The verification table as text, one line per data type, then the first difference if any. */
export function formatVerificationTable(rows: readonly TypeVerification[]): string {
  const header = ['data type', 'source rows', 'target rows', 'source digest', 'target digest', 'result'];
  const body = rows.map((r) => [
    r.dataType,
    String(r.sourceCount),
    String(r.targetCount),
    r.sourceDigest.slice(0, 16),
    r.targetDigest.slice(0, 16),
    r.equal ? 'equal' : 'MISMATCH',
  ]);
  const widths = header.map((h, i) => Math.max(h.length, ...body.map((row) => row[i]!.length)));
  const line = (cells: readonly string[]) =>
    cells
      .map((c, i) => c.padEnd(widths[i]!))
      .join('  ')
      .trimEnd();
  const out = [line(header), line(widths.map((w) => '-'.repeat(w))), ...body.map(line)];
  for (const r of rows) if (r.firstDifference) out.push(`first difference: ${r.firstDifference}`);
  return `${out.join('\n')}\n`;
}

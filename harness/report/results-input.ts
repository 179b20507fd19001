// Reading results.json for budgets, compare and renderers: every problem names the file and what is
// wrong (truncated JSON with its line, newer schema version, the first invalid field).
// TODO(lead): switch to results-io.ts `readResults` once it lands; the errors here are the contract.
import { readFile } from 'node:fs/promises';
import { InputError } from './input-error.ts';
import { RESULTS_SCHEMA_VERSION, resultsSchema, type Results } from './results-schema.ts';

export async function loadResultsFile(path: string): Promise<Results> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (error) {
    throw new InputError(path, `cannot read results: ${(error as Error).message}`, { cause: error });
  }
  return parseResultsText(text, path);
}

export function parseResultsText(text: string, file: string): Results {
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (error) {
    const position = /position (\d+)/.exec((error as Error).message)?.[1];
    const line = position === undefined ? undefined : text.slice(0, Number(position)).split('\n').length;
    const hint = text.trim().length === 0 ? 'file is empty' : 'not valid JSON (truncated or hand-edited?)';
    throw new InputError(file, `${hint}: ${(error as Error).message}`, {
      cause: error,
      ...(line ? { line } : {}),
    });
  }
  if (typeof raw !== 'object' || raw === null || (raw as { kind?: unknown }).kind !== 'dalbench-results') {
    throw new InputError(file, 'not a dalbench results file (expected "kind": "dalbench-results")');
  }
  const version = (raw as { schemaVersion?: unknown }).schemaVersion;
  if (typeof version === 'number' && version > RESULTS_SCHEMA_VERSION) {
    throw new InputError(
      file,
      `written by a newer dalbench (schemaVersion ${version}; this version reads ${RESULTS_SCHEMA_VERSION}): upgrade dalbench`,
    );
  }
  const parsed = resultsSchema.safeParse(raw);
  if (!parsed.success) {
    const issues = parsed.error.issues
      .slice(0, 3)
      .map((i) => `${i.path.join('.') || '(root)'}: ${i.message}`)
      .join('; ');
    throw new InputError(file, `invalid results: ${issues}`, { cause: parsed.error });
  }
  return parsed.data;
}

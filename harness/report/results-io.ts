// The one reader and writer of results.json (run, merge, check, compare, report, calibrate all come
// here). Writes go to a temp file in the same directory and are renamed into place, so a reader never
// sees half a file. Reads validate against the schema and every error names the file (and, for bad
// JSON, the line; for schema issues, the JSON path). Errors are InputErrors, so the CLI exits 2.
import { mkdir, readFile, rename, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { InputError } from '../results/input-error.ts';
import { RESULTS_SCHEMA_VERSION, resultsSchema, type Results } from '../results/schema.ts';

export const RESULTS_FILE = 'results.json';

const MISSING_HINT =
  'give the results.json a run wrote: `dalbench run` writes reports/<time>/results.json and links reports/latest to it';

/** A results.json that cannot be read, parsed, validated or written; `file` (and `line`) name it. */
export class ResultsFileError extends InputError {
  override name = 'ResultsFileError';
}

/** Validate and write `dir/results.json` atomically; returns the file's path. */
export async function writeResults(dir: string, results: Results): Promise<string> {
  return writeResultsFile(path.join(dir, RESULTS_FILE), results);
}

/** Validate and write results to exactly `file` (temp file + rename); returns `file`. */
export async function writeResultsFile(file: string, results: Results): Promise<string> {
  const dir = path.dirname(file);
  const parsed = resultsSchema.safeParse(results);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new ResultsFileError(
      file,
      `refusing to write invalid results: ${issue ? `${jsonPath(issue.path)}: ${issue.message}` : ''}`,
      {
        cause: parsed.error,
      },
    );
  }
  await mkdir(dir, { recursive: true });
  const temp = path.join(dir, `.${path.basename(file)}.${process.pid}.${Date.now()}.tmp`);
  try {
    await writeFile(temp, `${JSON.stringify(parsed.data, null, 2)}\n`, 'utf8');
    await rename(temp, file);
  } catch (error) {
    await rm(temp, { force: true });
    throw new ResultsFileError(file, 'could not write results', { cause: error });
  }
  return file;
}

export async function readResults(file: string): Promise<Results> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (error) {
    const missing = (error as NodeJS.ErrnoException).code === 'ENOENT';
    throw new ResultsFileError(file, 'cannot read results file', {
      cause: error,
      ...(missing ? { hint: MISSING_HINT } : {}),
    });
  }
  return parseResults(text, file);
}

/** Parse results.json text; `file` is only used in messages. */
export function parseResults(text: string, file: string): Results {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (error) {
    const hint = text.trim().length === 0 ? 'the file is empty' : 'not valid JSON (truncated or corrupted?)';
    const line = lineOfJsonError(error, text);
    throw new ResultsFileError(file, hint, { cause: error, ...(line === undefined ? {} : { line }) });
  }
  if (typeof json !== 'object' || json === null || Array.isArray(json)) {
    throw new ResultsFileError(file, 'expected a JSON object with kind "dalbench-results"');
  }
  const { kind, schemaVersion } = json as { kind?: unknown; schemaVersion?: unknown };
  if (kind !== 'dalbench-results') {
    throw new ResultsFileError(
      file,
      `not a dalbench results file (kind: ${JSON.stringify(kind) ?? 'missing'}, expected "dalbench-results")`,
    );
  }
  if (typeof schemaVersion === 'number' && schemaVersion > RESULTS_SCHEMA_VERSION) {
    throw new ResultsFileError(
      file,
      `written by a newer dalbench (schemaVersion ${schemaVersion}; this one reads ${RESULTS_SCHEMA_VERSION}): upgrade dalbench to read it`,
    );
  }
  const parsed = resultsSchema.safeParse(json);
  if (!parsed.success) {
    const issues = parsed.error.issues.slice(0, 5).map((i) => `${jsonPath(i.path)}: ${i.message}`);
    const more = parsed.error.issues.length > 5 ? `; and ${parsed.error.issues.length - 5} more` : '';
    throw new ResultsFileError(file, `invalid results: ${issues.join('; ')}${more}`, { cause: parsed.error });
  }
  return parsed.data;
}

/** `$.scenarios[0].operations[2].latency.p99Us` */
export function jsonPath(pathParts: readonly PropertyKey[]): string {
  let out = '$';
  for (const part of pathParts) out += typeof part === 'number' ? `[${part}]` : `.${String(part)}`;
  return out;
}

/** The 1-based line JSON.parse stopped at, from its "position N" message (V8), when it gives one. */
function lineOfJsonError(error: unknown, text: string): number | undefined {
  const position = /position (\d+)/.exec(error instanceof Error ? error.message : '')?.[1];
  return position === undefined ? undefined : text.slice(0, Number(position)).split('\n').length;
}

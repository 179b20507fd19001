// SQL text of the postgres document backend. User input only ever travels as parameters; the
// only text built here is from validated field paths, and those are passed as text[] parameters too.
import type { ResolvedSearch } from '../../ports/document-input.ts';

/** Escape like Lucene's SimpleHTMLEncoder (ES `encoder: html`), before ts_headline adds <em>. */
export const HTML_ESCAPE = (expr: string): string =>
  `replace(replace(replace(replace(replace(replace(${expr}, '&', '&amp;'), '<', '&lt;'), '>', '&gt;'), '"', '&quot;'), '''', '&#x27;'), '/', '&#x2F;')`;

/**
 * Index one document. A supplied (external) version wins only when it is newer than the stored
 * one; without one the stored version grows by one. Returns a row when the write was applied.
 */
export const UPSERT_SQL = `
  INSERT INTO dalbench_documents AS d (collection, id, doc, version)
  VALUES ($1, $2, $3::jsonb, coalesce($4::bigint, 1))
  ON CONFLICT (collection, id) DO UPDATE
    SET doc = EXCLUDED.doc,
        version = CASE WHEN $4::bigint IS NULL THEN d.version + 1 ELSE $4::bigint END
    WHERE $4::bigint IS NULL OR d.version < $4::bigint
  RETURNING version`;

export interface BuiltQuery {
  readonly text: string;
  readonly values: unknown[];
}

/** WHERE clause (text match + filters) shared by the hit query and the aggregation. */
function whereClause(q: ResolvedSearch, values: unknown[]): { where: string; tsv: string } {
  const conditions = ['d.collection = $1'];
  let tsv = 'd.tsv';
  // Field paths are parameters only when the text is matched: an unused parameter has no type (42P18).
  if (q.fields && q.text !== '') {
    const perField = q.fields.map((path) => {
      values.push(path);
      return `jsonb_to_tsvector('simple'::regconfig, coalesce(d.doc #> $${values.length}::text[], 'null'::jsonb), '["string"]')`;
    });
    tsv = perField.join(' || ');
    // `||` joins the fields' positions end to end, so a phrase could span two fields: match each alone.
    conditions.push(
      q.phrase ? `(${perField.map((f) => `${f} @@ q.query`).join(' OR ')})` : `${tsv} @@ q.query`,
    );
  } else if (q.text !== '') conditions.push(`${tsv} @@ q.query`);
  for (const { path, value } of q.filters) {
    // Containment of {a:{b:v}} or {a:{b:[v]}}: a scalar field or an array holding the value, both GIN-indexed.
    const scalar = nest(path, value);
    const inArray = nest(path, [value]);
    values.push(JSON.stringify(scalar), JSON.stringify(inArray));
    conditions.push(`(d.doc @> $${values.length - 1}::jsonb OR d.doc @> $${values.length}::jsonb)`);
  }
  return { where: conditions.join(' AND '), tsv };
}

function nest(path: readonly string[], value: unknown): unknown {
  return path.reduceRight<unknown>((inner, key) => ({ [key]: inner }), value);
}

/** The parser of the user's text: its words (all of them), or its words as a phrase; never query syntax. */
function tsquery(q: ResolvedSearch): string {
  return q.phrase ? 'phraseto_tsquery' : 'plainto_tsquery';
}

/** $1 collection, $2 text; hits ranked by ts_rank, total counted over all matches. */
export function searchSql(collection: string, q: ResolvedSearch): BuiltQuery {
  const values: unknown[] = [collection, q.text];
  const { where, tsv } = whereClause(q, values);
  values.push(q.size);
  const score = q.text === '' ? '1.0::real' : `ts_rank(${tsv}, q.query)`;
  return {
    text: `SELECT d.id, d.doc, d.version, ${score} AS score, count(*) OVER () AS total
      FROM dalbench_documents d, ${tsquery(q)}('simple'::regconfig, $2) AS q(query)
      WHERE ${where}
      ORDER BY score DESC, d.id
      LIMIT $${values.length}`,
    values,
  };
}

/** Total without hits, for size 0 (the window count needs at least one row). */
export function countSql(collection: string, q: ResolvedSearch): BuiltQuery {
  const values: unknown[] = [collection, q.text];
  const { where } = whereClause(q, values);
  return {
    text: `SELECT count(*) AS total FROM dalbench_documents d, ${tsquery(q)}('simple'::regconfig, $2) AS q(query) WHERE ${where}`,
    values,
  };
}

/** Terms aggregation: each distinct scalar (or array element) counted once per document. */
export function aggregationSql(
  collection: string,
  q: ResolvedSearch,
  path: readonly string[],
  limit: number,
): BuiltQuery {
  const values: unknown[] = [collection, q.text];
  const { where } = whereClause(q, values);
  values.push(path);
  const p = `$${values.length}::text[]`;
  values.push(limit);
  return {
    text: `SELECT e.v #>> '{}' AS key, count(DISTINCT d.id) AS count
      FROM dalbench_documents d, ${tsquery(q)}('simple'::regconfig, $2) AS q(query),
      LATERAL jsonb_array_elements(CASE jsonb_typeof(d.doc #> ${p}) WHEN 'array' THEN d.doc #> ${p}
                                        ELSE jsonb_build_array(d.doc #> ${p}) END) AS e(v)
      WHERE ${where} AND jsonb_typeof(e.v) IN ('string', 'number', 'boolean')
        AND (jsonb_typeof(e.v) <> 'string' OR length(e.v #>> '{}') <= 256)
      GROUP BY 1 ORDER BY 2 DESC, (e.v #>> '{}') COLLATE "C"
      LIMIT $${values.length}`,
    values,
  };
}

/**
 * Highlight the string leaves ($1 text[]) that hold any query word ($2): the AND query becomes an
 * OR query, like the ES highlighter with require_field_match false. HTML is escaped first.
 */
export const HIGHLIGHT_SQL = `
  WITH q AS (
    SELECT nullif(replace(plainto_tsquery('simple'::regconfig, $2)::text, ' & ', ' | '), '')::tsquery AS query
  )
  SELECT u.i::int AS i,
         ts_headline('simple'::regconfig, ${HTML_ESCAPE('u.t')}, q.query,
                     'StartSel=<em>, StopSel=</em>, MaxFragments=3, MaxWords=20, MinWords=5, HighlightAll=false') AS fragment
  FROM unnest($1::text[]) WITH ORDINALITY AS u(t, i), q
  WHERE q.query IS NOT NULL AND to_tsvector('simple'::regconfig, u.t) @@ q.query`;

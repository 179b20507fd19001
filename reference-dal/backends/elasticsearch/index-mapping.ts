// Explicit index settings and mappings. User documents live under `doc` so their field names can
// never collide with metadata fields (`_id`, ...) or with `all_text`, the copy_to target that the
// default search runs against (every string value of the document, like the postgres tsvector).
export const DOC_FIELD = 'doc';
export const ALL_TEXT_FIELD = 'all_text';

export const INDEX_BODY = {
  settings: {
    number_of_shards: 1,
    number_of_replicas: 0,
    // Keep delete tombstones long enough for an outbox replay to be rejected as stale.
    'index.gc_deletes': '60s',
  },
  mappings: {
    dynamic: true,
    // "2024-01-01" stays a string and "12" stays a string: types follow JSON, not guesses.
    date_detection: false,
    numeric_detection: false,
    dynamic_templates: [
      {
        strings: {
          path_match: `${DOC_FIELD}.*`,
          match_mapping_type: 'string',
          mapping: {
            type: 'text',
            copy_to: ALL_TEXT_FIELD,
            fields: { keyword: { type: 'keyword', ignore_above: 256 } },
          },
        },
      },
      // Every JSON number is a double: a field first seen as 1 must still hold 1.5 exactly.
      { integers: { match_mapping_type: 'long', mapping: { type: 'double' } } },
      { doubles: { match_mapping_type: 'double', mapping: { type: 'double' } } },
    ],
    properties: {
      [ALL_TEXT_FIELD]: { type: 'text' },
      [DOC_FIELD]: { type: 'object' },
    },
  },
} as const;

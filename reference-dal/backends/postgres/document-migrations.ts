// Schema of the postgres document backend (single-postgres profile): one table for every
// collection, JSONB documents, a generated tsvector over every string value with a GIN index.
import type { Migration } from '../../sql/migrate.ts';

export const DOCUMENTS_NAMESPACE = 'documents-postgres';

export const DOCUMENT_MIGRATIONS: readonly Migration[] = [
  {
    version: 1,
    description: 'documents table with generated tsvector, GIN indexes on text and jsonb',
    up: async (client) => {
      await client.query(`CREATE TABLE dalbench_documents (
        collection text NOT NULL,
        id text NOT NULL,
        doc jsonb NOT NULL,
        version bigint NOT NULL,
        -- 'simple': no stemming or stop words, so matching is word-for-word like the ES standard analyzer.
        tsv tsvector GENERATED ALWAYS AS (jsonb_to_tsvector('simple'::regconfig, doc, '["string"]')) STORED,
        PRIMARY KEY (collection, id))`);
      await client.query('CREATE INDEX dalbench_documents_tsv ON dalbench_documents USING gin (tsv)');
      await client.query(
        'CREATE INDEX dalbench_documents_doc ON dalbench_documents USING gin (doc jsonb_path_ops)',
      );
    },
  },
];

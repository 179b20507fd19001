// What an Elasticsearch client error says, for the messages the repository and the bulk loader give.
import { STATUS_CODES } from 'node:http';
import { errors as esErrors } from '@elastic/elasticsearch';

export function statusOf(error: unknown): number | undefined {
  return error instanceof esErrors.ResponseError ? error.meta.statusCode : undefined;
}

export function errorType(error: unknown): string | undefined {
  if (!(error instanceof esErrors.ResponseError)) return undefined;
  const body = error.meta.body as { error?: { type?: string } } | undefined;
  return body?.error?.type;
}

/** `type: reason` from the error body; the HTTP status where there is none; else the message. */
export function reasonOf(error: unknown): string {
  if (error instanceof esErrors.ResponseError) {
    const body = error.meta.body as { error?: { type?: string; reason?: string } } | string | undefined;
    if (typeof body === 'object' && body.error)
      return `${body.error.type ?? 'error'}: ${body.error.reason ?? ''}`;
    // A refusal before Elasticsearch parses the request (413, a proxy's 502) has no error body.
    const status = error.meta.statusCode;
    if (status !== undefined) {
      const text = typeof body === 'string' ? body.trim().slice(0, 200) : '';
      return `HTTP ${status} ${STATUS_CODES[status] ?? ''}${text ? `: ${text}` : ''}`.trim();
    }
  }
  return error instanceof Error ? error.message : String(error);
}

export function isIndexMissing(error: unknown): boolean {
  return errorType(error) === 'index_not_found_exception';
}

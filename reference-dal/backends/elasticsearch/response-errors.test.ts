// The messages the repository and the bulk loader build from a client error: the server's `type: reason`, the
// HTTP status where a proxy or size limit refused the request before Elasticsearch parsed it, else the message.
// The errors are the client's own ResponseError values, as its transport builds them from a response.
import { errors as esErrors } from '@elastic/elasticsearch';
import { describe, expect, it } from 'vitest';
import { errorType, isIndexMissing, reasonOf, statusOf } from './response-errors.ts';

function responseError(statusCode: number | undefined, body: unknown): Error {
  return new esErrors.ResponseError({
    body,
    statusCode,
    headers: {},
    warnings: null,
    meta: {
      context: null,
      name: 'es',
      request: { params: { method: 'POST', path: '/_bulk' }, options: {}, id: 1 },
      connection: null,
      attempts: 0,
      aborted: false,
    },
  });
}

describe('Elasticsearch response errors', () => {
  it("reads the server's type and reason", () => {
    const error = responseError(404, {
      error: { type: 'index_not_found_exception', reason: 'no such index [x]' },
      status: 404,
    });
    expect(reasonOf(error)).toBe('index_not_found_exception: no such index [x]');
    expect(errorType(error)).toBe('index_not_found_exception');
    expect(isIndexMissing(error)).toBe(true);
    expect(statusOf(error)).toBe(404);
  });

  it('says what is missing from an error body without type or reason', () => {
    expect(reasonOf(responseError(400, { error: { reason: 'bad' } }))).toBe('error: bad');
    expect(reasonOf(responseError(400, { error: { type: 'parse_exception' } }))).toBe('parse_exception: ');
    expect(isIndexMissing(responseError(400, { error: { reason: 'bad' } }))).toBe(false);
  });

  it('gives the HTTP status, and the start of a text body, when the server sent no error body', () => {
    expect(reasonOf(responseError(413, undefined))).toBe('HTTP 413 Payload Too Large');
    expect(reasonOf(responseError(413, ''))).toBe('HTTP 413 Payload Too Large');
    expect(reasonOf(responseError(502, '  <html>bad gateway</html>\n'))).toBe(
      'HTTP 502 Bad Gateway: <html>bad gateway</html>',
    );
    const long = `${'x'.repeat(250)}`;
    expect(reasonOf(responseError(502, long))).toBe(`HTTP 502 Bad Gateway: ${'x'.repeat(200)}`);
    // A status Node has no name for: no trailing space.
    expect(reasonOf(responseError(599, undefined))).toBe('HTTP 599');
    expect(reasonOf(responseError(503, { status: 503 }))).toBe('HTTP 503 Service Unavailable');
    expect(errorType(responseError(413, undefined))).toBeUndefined();
    expect(errorType(responseError(413, 'text'))).toBeUndefined();
  });

  it('falls back to the message of any other error, and has no status or type for it', () => {
    const refused = new esErrors.ConnectionError('connect ECONNREFUSED 127.0.0.1:9200');
    expect(reasonOf(refused)).toBe('connect ECONNREFUSED 127.0.0.1:9200');
    expect(statusOf(refused)).toBeUndefined();
    expect(errorType(refused)).toBeUndefined();
    expect(isIndexMissing(refused)).toBe(false);
    expect(errorType({ meta: { body: { error: { type: 'index_not_found_exception' } } } })).toBeUndefined();
    expect(reasonOf('plain')).toBe('plain');
  });
});

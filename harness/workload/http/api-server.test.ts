// The API server `dalbench serve` and the http driver talk to, on a real PostgreSQL: a scenario
// operation runs with the request's parameters, and every bad request gets its own status and a
// JSON error that says what was wrong, without the server going down.
import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { singlePostgresProfile } from '../../../reference-dal/profiles/builtin-profiles.ts';
import { SystemUnderTest } from '../../../reference-dal/profiles/system-under-test.ts';
import { dashboardReads, detectorId } from '../../../scenarios/dashboard-reads.ts';
import { requireStore } from '../../../test/support/stores.ts';
import { startApiServer, type ApiServer } from './api-server.ts';

describe('API server', () => {
  let sut: SystemUnderTest | undefined;
  let server: ApiServer | undefined;
  const scenario = dashboardReads({ size: 'quick' });

  beforeAll(async () => {
    sut = await SystemUnderTest.build(singlePostgresProfile, {
      endpoints: { postgres: requireStore('postgres').url },
      runLabel: `api${randomBytes(3).toString('hex')}`,
    });
    await sut.dal.metadata.detectors.create(
      { name: 'detector 3', algorithm: 'forest', parameters: { threshold: 0.5 }, status: 'active' },
      { id: detectorId(3) },
    );
    server = await startApiServer({
      sut,
      routes: new Map([[scenario.name, { scenario, operations: ['read'] }]]),
    });
  });

  afterAll(async () => {
    try {
      await server?.close();
    } finally {
      await sut?.[Symbol.asyncDispose]();
    }
  });

  const call = async (method: string, path: string) => {
    const response = await fetch(`${server!.url}${path}`, { method });
    return { status: response.status, body: (await response.json()) as Record<string, unknown> };
  };

  it('runs the operation with the key it is given', async () => {
    expect(await call('POST', '/scenarios/dashboard-reads/read?key=3&size=0&seed=9')).toEqual({
      status: 200,
      body: { ok: true, result: null },
    });
    // Key 4 has no detector: the operation's own error comes back as a 500 naming it.
    expect(await call('POST', '/scenarios/dashboard-reads/read?key=4')).toEqual({
      status: 500,
      body: { error: 'Error', message: `${detectorId(4)} missing` },
    });
  });

  it('answers 404 for an unknown scenario, an operation it does not expose, or another path', async () => {
    for (const path of [
      '/scenarios/nope/read?key=3',
      '/scenarios/dashboard-reads/write?key=3',
      '/scenarios/dashboard-reads',
      '/',
    ]) {
      const { status, body } = await call('POST', path);
      expect(status, path).toBe(404);
      expect(body, path).toEqual({ error: 'NotFound', message: `no route POST ${path.split('?')[0]}` });
    }
  });

  it('answers 405 for a route called with another method than POST', async () => {
    expect(await call('GET', '/scenarios/dashboard-reads/read?key=3')).toEqual({
      status: 405,
      body: { error: 'MethodNotAllowed', message: 'use POST' },
    });
  });

  it('answers 400 naming the parameter that is not a non-negative integer', async () => {
    for (const [param, value] of [
      ['key', '-1'],
      ['key', 'x'],
      ['size', '1.5'],
      ['seed', '9007199254740993'],
    ] as const) {
      const shown = `${param}=${value}`;
      const query = param === 'key' ? shown : `key=3&${shown}`;
      const { status, body } = await call('POST', `/scenarios/dashboard-reads/read?${query}`);
      expect(status, shown).toBe(400);
      expect(body, shown).toEqual({
        error: 'ParamError',
        message: `query parameter ${param}: expected a non-negative integer`,
      });
    }
    // Still serving after the bad requests.
    expect((await call('POST', '/scenarios/dashboard-reads/read?key=3')).status).toBe(200);
  });

  it('reports the DAL health on GET /health', async () => {
    const { status, body } = await call('GET', '/health');
    expect(status).toBe(200);
    expect(JSON.stringify(body)).toMatch(/postgres/);
  });
});

// The HTTP API the ADR puts in front of the DAL, for one profile's system under test:
//   POST /scenarios/:scenario/:operation?key=K&size=S&seed=N  → runs that scenario operation
//   GET  /health                                              → the DAL's health report
// node:http on loopback by default; AsyncDisposable (closes idle and active connections).
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Scenario } from '../scenario.ts';
import { discardingRecorder } from '../../metrics/scenario-recorder.ts';
import { Rng } from '../random.ts';
import type { SystemUnderTest } from '../../../reference-dal/profiles/system-under-test.ts';

export interface ApiServerOptions {
  readonly sut: SystemUnderTest;
  /** Scenario → operations exposed. */
  readonly routes: ReadonlyMap<
    string,
    { scenario: Scenario<SystemUnderTest>; operations: readonly string[] }
  >;
  readonly host?: string;
  /** 0 (default) picks a free port. */
  readonly port?: number;
}

export interface ApiServer extends AsyncDisposable {
  readonly url: string;
  close(): Promise<void>;
}

const ROUTE = /^\/scenarios\/([a-z0-9-]+)\/([a-z0-9-]+)$/;

export async function startApiServer(options: ApiServerOptions): Promise<ApiServer> {
  const controller = new AbortController();
  const server = createServer((req, res) => {
    void handle(options, req, res, controller.signal);
  });
  server.keepAliveTimeout = 10_000;
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, options.host ?? '127.0.0.1', () => resolve());
  });
  const address = server.address() as AddressInfo;
  let closing: Promise<void> | undefined;
  const close = () => {
    closing ??= new Promise<void>((resolve) => {
      controller.abort();
      server.close(() => resolve());
      server.closeAllConnections();
    });
    return closing;
  };
  return { url: `http://${address.address}:${address.port}`, close, [Symbol.asyncDispose]: close };
}

async function handle(
  options: ApiServerOptions,
  req: IncomingMessage,
  res: ServerResponse,
  signal: AbortSignal,
): Promise<void> {
  // The body is not used; drain it so keep-alive connections stay usable.
  req.resume();
  const url = new URL(req.url ?? '/', 'http://localhost');
  try {
    if (req.method === 'GET' && url.pathname === '/health') {
      const report = await options.sut.dal.healthCheck();
      return reply(res, 200, report);
    }
    const match = ROUTE.exec(url.pathname);
    const route = match ? options.routes.get(match[1]!) : undefined;
    const opName = match?.[2];
    if (!match || !route || !opName || !route.operations.includes(opName)) {
      return reply(res, 404, { error: 'NotFound', message: `no route ${req.method} ${url.pathname}` });
    }
    if (req.method !== 'POST') return reply(res, 405, { error: 'MethodNotAllowed', message: 'use POST' });
    const operation = route.scenario.operations.find((op) => op.name === opName)!;
    const key = intParam(url, 'key', 0);
    const keyCount = Math.max(key + 1, route.scenario.data.records);
    const result = await operation.run({
      sut: options.sut,
      rng: Rng.at(intParam(url, 'seed', 0), key),
      key,
      keyCount,
      valueSize: intParam(url, 'size', 0),
      recorder: discardingRecorder,
      stream: 0,
      signal,
    });
    reply(res, 200, { ok: true, result: result ?? null });
  } catch (error) {
    const status = error instanceof ParamError ? 400 : 500;
    reply(res, status, {
      error: error instanceof Error ? error.name : 'Error',
      message: error instanceof Error ? error.message : String(error),
    });
  }
}

class ParamError extends Error {
  override name = 'ParamError';
}

function intParam(url: URL, name: string, fallback: number): number {
  const raw = url.searchParams.get(name);
  if (raw === null) return fallback;
  const value = Number(raw);
  if (!Number.isSafeInteger(value) || value < 0)
    throw new ParamError(`query parameter ${name}: expected a non-negative integer`);
  return value;
}

function reply(res: ServerResponse, status: number, body: unknown): void {
  const text = JSON.stringify(body);
  res.writeHead(status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(text) });
  res.end(text);
}

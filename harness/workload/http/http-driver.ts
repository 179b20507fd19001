// The `http` driver: the same scenario operations, end to end through the API server, load from
// autocannon over loopback (closed loop: N connections, one request in flight each). Latency is
// autocannon's per-response time recorded into the same HdrHistograms as the `dal` driver, so a
// report shows DAL-only and end-to-end side by side. Warmup responses are not recorded; scenario
// snapshots/derive run in process against the same system under test.
import autocannon from 'autocannon';
import type { ScenarioResult } from '../../results/schema.ts';
import { OperationStats } from '../../metrics/operation-stats.ts';
import { OperationPlanner } from '../planner.ts';
import { deriveSeed } from '../random.ts';
import type { Scenario } from '../scenario.ts';
import type { SystemUnderTest } from '../../../reference-dal/profiles/system-under-test.ts';
import { startApiServer } from './api-server.ts';

export interface HttpRunOptions {
  /** Only the operations the API exposes (see withoutOperations). */
  readonly scenario: Scenario<SystemUnderTest>;
  readonly profileName: string;
  readonly sut: SystemUnderTest;
  readonly seed: number;
  readonly connections: number;
  readonly durationMs: number;
  readonly warmupMs: number;
  readonly repeat?: number;
  readonly signal?: AbortSignal;
}

interface InFlight {
  op: number;
  status: number;
}

export async function runHttpScenario(options: HttpRunOptions): Promise<ScenarioResult> {
  const { scenario, sut } = options;
  await using server = await startApiServer({
    sut,
    routes: new Map([[scenario.name, { scenario, operations: scenario.operations.map((o) => o.name) }]]),
  });
  const planner = new OperationPlanner(scenario, options.seed, 0, 1);
  const before = scenario.snapshot ? await scenario.snapshot(sut) : {};
  const t0 = performance.now();
  const measureStart = t0 + options.warmupMs;
  const measureEnd = measureStart + options.durationMs;
  const stats = scenario.operations.map((op) => new OperationStats(op.name, measureStart, false));
  let seq = 0;
  let last: InFlight | undefined;

  let finish: (error: unknown) => void = () => {};
  const finished = new Promise<void>((resolve, reject) => {
    finish = (error) =>
      error
        ? reject(error instanceof Error ? error : new Error('autocannon failed', { cause: error }))
        : resolve();
  });
  const instance = autocannon(
    {
      url: server.url,
      connections: options.connections,
      pipelining: 1,
      duration: (options.warmupMs + options.durationMs) / 1000,
      timeout: 30,
      requests: [
        {
          method: 'POST',
          setupRequest(req, context: object) {
            const planned = planner.next();
            (context as { op?: number }).op = planned.op;
            const name = scenario.operations[planned.op]!.name;
            const query = `key=${planned.key}&size=${planned.valueSize}&seed=${deriveSeed(options.seed, seq++)}`;
            return { ...req, path: `/scenarios/${scenario.name}/${name}?${query}` };
          },
          onResponse(status: number, _body: string, context: object) {
            last = { op: Number((context as { op?: number }).op), status };
          },
        },
      ],
    },
    (error) => finish(error),
  );
  // autocannon emits the response right after onResponse, synchronously: `last` pairs them.
  instance.on('response', (_client: unknown, _status: number, _bytes: number, responseTimeMs: number) => {
    const done = performance.now();
    const current = last;
    last = undefined;
    if (!current || done < measureStart || done > measureEnd + 1) return;
    const op = stats[current.op]!;
    if (current.status >= 200 && current.status < 300)
      op.success(done - responseTimeMs, done - responseTimeMs, done);
    else
      op.error(Object.assign(new Error(`HTTP ${current.status}`), { name: `HTTP${current.status}` }), done);
  });
  let errors = 0;
  instance.on('reqError', () => errors++);
  const onAbort = () => instance.stop();
  options.signal?.addEventListener('abort', onAbort, { once: true });
  try {
    await finished;
  } finally {
    options.signal?.removeEventListener('abort', onAbort);
  }
  const elapsedMs = Math.max(0, Math.min(performance.now(), measureEnd) - measureStart);
  const operations = stats.map((s) => s.result(elapsedMs));
  const counters: Record<string, number> = { httpRequestErrors: errors };
  if (scenario.snapshot) {
    const after = await scenario.snapshot(sut);
    for (const [name, value] of Object.entries(after)) counters[name] = value - (before[name] ?? 0);
  }
  const metrics = scenario.derive
    ? scenario.derive({
        counters,
        durationMs: elapsedMs,
        operations: operations.map((o) => ({
          name: o.name,
          count: o.count,
          errors: Object.values(o.errors).reduce((a, b) => a + b, 0),
          p50Us: o.latency.p50Us,
          p99Us: o.latency.p99Us,
        })),
      })
    : {};
  const aborted = options.signal?.aborted ?? false;
  return {
    scenario: scenario.name,
    profile: options.profileName,
    repeat: options.repeat ?? 0,
    driver: 'http',
    status: aborted ? 'incomplete' : 'completed',
    ...(aborted ? { reason: 'interrupted during the run' } : {}),
    loadModel: { type: 'closed', concurrency: options.connections },
    durationMs: elapsedMs,
    operations,
    counters,
    metrics: Object.fromEntries(Object.entries(metrics).filter(([, v]) => Number.isFinite(v))),
    distributions: {},
    warnings: [
      `end to end over HTTP (node:http on loopback, autocannon ${options.connections} connections); latency includes HTTP and JSON`,
    ],
  };
}

/** The http driver's load shape cannot do what was asked (an open loop or a shard of the load). */
export class HttpDriverRefused extends Error {
  override name = 'HttpDriverRefused';
}

/**
 * The http driver is autocannon's closed loop on one stream: refuse an open-loop rate or a shard
 * instead of measuring something else than asked (no coordinated-omission correction, the full load).
 */
export function assertHttpDriverLoad(load: { type: 'open' | 'closed' }, shard: unknown): void {
  if (load.type === 'open')
    throw new HttpDriverRefused(
      'the http driver runs a closed loop only; an open loop (a rate) needs the dal driver',
    );
  if (shard !== undefined)
    throw new HttpDriverRefused('the http driver cannot run a shard of the load; shards need the dal driver');
}

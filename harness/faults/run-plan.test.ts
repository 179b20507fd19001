// Running a plan: steps start at their time or operation count, end after their duration, are healed
// on stop, and a process fault without a local store is refused before anything runs.
import net from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseFaultPlan } from './plan.ts';
import { runFaultPlan } from './run-plan.ts';
import { startTcpProxy } from './tcp-proxy.ts';

let server: net.Server;
let port = 0;
beforeAll(async () => {
  server = net.createServer((socket) => socket.on('error', () => undefined).pipe(socket));
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  port = (server.address() as net.AddressInfo).port;
});
afterAll(async () => {
  await new Promise((resolve) => server.close(resolve));
});

describe('runFaultPlan', () => {
  it('starts a timed and a counted step, ends each after its duration, records both', async () => {
    await using proxy = await startTcpProxy({ host: '127.0.0.1', port });
    let ops = 0;
    const plan = parseFaultPlan([
      { at: '50ms', store: 'redis', action: 'cut', for: '100ms' },
      { at: { afterOps: 5 }, store: 'redis', action: 'delay', for: '100ms', delayMs: 20 },
    ]);
    await using running = runFaultPlan(
      plan,
      { mode: 'external', proxies: { redis: proxy } },
      { opsDone: () => ops },
    );
    await new Promise((resolve) => setTimeout(resolve, 90));
    expect(proxy.isCut).toBe(true);
    ops = 5;
    await running.done;
    expect(proxy.isCut).toBe(false);
    const events = running.events();
    expect(events.map((e) => e.step.action)).toEqual(['cut', 'delay']);
    const [cut, delay] = events;
    expect(cut!.startedMs).toBeGreaterThanOrEqual(45);
    expect(cut!.endedMs! - cut!.startedMs).toBeGreaterThanOrEqual(95);
    expect(delay!.startedMs).toBeGreaterThanOrEqual(90);
    expect(events.every((e) => e.error === undefined)).toBe(true);
  });

  it('heals an active fault when stopped early', async () => {
    await using proxy = await startTcpProxy({ host: '127.0.0.1', port });
    const plan = parseFaultPlan([{ at: '0s', store: 'postgres', action: 'cut', for: '10m' }]);
    const running = runFaultPlan(plan, { mode: 'docker', proxies: { postgres: proxy } });
    await new Promise((resolve) => setTimeout(resolve, 30));
    expect(proxy.isCut).toBe(true);
    await running.stop();
    expect(proxy.isCut).toBe(false);
    expect(running.events()[0]!.endedMs).toBeDefined();
  });

  it('refuses kill and pause outside local mode, and a store without a proxy, before the run', () => {
    const kill = parseFaultPlan([{ at: '1s', store: 's3', action: 'pause', for: '1s' }]);
    expect(() => runFaultPlan(kill, { mode: 'external', proxies: {} })).toThrow(
      /#0: pause s3 needs local mode .* only proxy faults apply/,
    );
    const cut = parseFaultPlan([{ at: '1s', store: 's3', action: 'cut', for: '1s' }]);
    expect(() => runFaultPlan(cut, { mode: 'local', proxies: {} })).toThrow(
      /s3's traffic routed through a fault proxy/,
    );
  });
});

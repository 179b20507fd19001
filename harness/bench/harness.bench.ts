// npm run bench:harness — the harness's own cost per operation against a no-op system, so users
// can trust that the store, not dalbench, is measured. Targets: < 2 µs recorded overhead per op,
// ≥ 200,000 no-op ops/s on one worker, open-loop scheduling error ≤ 50 µs p99 at 20,000/s.
// Prints figures and targets; ratios come from one run. On a shared machine the OS takes the CPU
// away now and then: the scheduling floor row measures how much, so a missed target can be read
// against what no scheduler could have beaten at that moment.
import { createHistogram, summarizeHistogram } from '../metrics/histogram.ts';
import { toMicros } from '../metrics/operation-stats.ts';
import type { HistogramSummary } from '../results/schema.ts';
import { STREAM } from '../workload/planner.ts';
import { Rng } from '../workload/random.ts';
import { runScenario } from '../workload/runner.ts';
import { noopScenario } from '../workload/test-systems.ts';

const TARGET_OVERHEAD_US = 2;
const TARGET_OPS_PER_SEC = 200_000;
const TARGET_SCHEDULING_P99_US = 50;
const durationMs = Number(process.env.DALBENCH_BENCH_MS ?? 3_000);

/** The floor: a bare loop awaiting the same no-op, no planning, no clock, no recording. */
async function bareLoop(ms: number): Promise<number> {
  const noop = () => Promise.resolve();
  const end = performance.now() + ms;
  let n = 0;
  let lastYield = performance.now();
  for (;;) {
    // Check the clock every 256 ops only: this loop is the baseline, it should cost as little as possible.
    if ((n & 255) === 0) {
      const now = performance.now();
      if (now >= end) break;
      if (now - lastYield > 5) {
        await new Promise<void>((r) => setImmediate(r));
        lastYield = performance.now();
      }
    }
    await noop();
    n++;
  }
  return n / (ms / 1000);
}

/**
 * The machine's own floor: a bare loop that only spins to each start of the same Poisson schedule
 * and reads the clock, with no operations and no event loop. Its lateness is the OS's (preemption
 * by other processes) and the runtime's; no scheduler in this process can do better.
 */
function schedulingFloor(ms: number, ratePerSec: number, seed: number): HistogramSummary {
  const rng = Rng.at(seed, STREAM.arrival, 0);
  const lag = createHistogram();
  const origin = performance.now();
  const end = origin + ms;
  for (
    let next = origin + rng.exponential(1000 / ratePerSec);
    next < end;
    next += rng.exponential(1000 / ratePerSec)
  ) {
    const until = process.hrtime.bigint() + BigInt(Math.max(0, Math.ceil((next - performance.now()) * 1e6)));
    while (process.hrtime.bigint() < until) {
      // spin (hrtime.bigint() does not allocate here; performance.now() would feed the GC)
    }
    lag.recordValue(toMicros(performance.now() - next));
  }
  return summarizeHistogram(lag);
}

async function main(): Promise<void> {
  const scenario = noopScenario();
  await bareLoop(300); // warm the JIT
  const bareOpsPerSec = await bareLoop(durationMs);
  const closed = await runScenario({
    scenario,
    profileName: 'noop',
    sut: undefined,
    load: { type: 'closed', concurrency: 1 },
    seed: 1,
    warmupMs: 500,
    durationMs,
  });
  const op = closed.operations[0]!;
  const harnessOpsPerSec = op.throughput;
  const overheadUs = 1e6 / harnessOpsPerSec - 1e6 / bareOpsPerSec;

  const rate = 20_000;
  const open = await runScenario({
    scenario,
    profileName: 'noop',
    sut: undefined,
    load: { type: 'open', ratePerSec: rate, arrival: 'poisson' },
    seed: 1,
    warmupMs: 500,
    durationMs,
  });
  const openOp = open.operations[0]!;
  const lag = open.schedulingLag;
  const lagP99 = lag?.p99Us ?? Infinity;
  const floor = schedulingFloor(durationMs, rate, 1);

  const verdict = (ok: boolean) => (ok ? 'meets target' : 'MISSES target');
  const lines = [
    `dalbench harness self-benchmark (Node ${process.version}, ${durationMs} ms per measurement)`,
    `  bare await loop (floor):            ${fmt(bareOpsPerSec)} ops/s`,
    `  closed loop, 1 worker, no-op:        ${fmt(harnessOpsPerSec)} ops/s   target ≥ ${fmt(TARGET_OPS_PER_SEC)}  ${verdict(harnessOpsPerSec >= TARGET_OPS_PER_SEC)}`,
    `  recorded overhead per op:            ${overheadUs.toFixed(3)} µs      target < ${TARGET_OVERHEAD_US} µs     ${verdict(overheadUs < TARGET_OVERHEAD_US)}`,
    `    (plan + key choice + context + 2 clock reads + HdrHistogram record + series, vs the bare loop)`,
    `  no-op latency as recorded: p50 ${op.latency.p50Us} µs, p99 ${op.latency.p99Us} µs, max ${op.latency.maxUs} µs`,
    `  open loop ${fmt(rate)}/s Poisson: ${fmt(openOp.throughput)} ops/s achieved, late starts ${pct(open.metrics.harnessLateStartShare ?? 0)}, ` +
      `corrected p99 ${openOp.latency.p99Us} µs, uncorrected p99 ${openOp.uncorrectedLatency?.p99Us ?? 0} µs`,
    `  open-loop scheduling error (actual − intended start): p50 ${lag?.p50Us ?? '-'} µs, p99 ${lag?.p99Us ?? '-'} µs, max ${lag?.maxUs ?? '-'} µs   ` +
      `target p99 ≤ ${TARGET_SCHEDULING_P99_US} µs  ${verdict(lagP99 <= TARGET_SCHEDULING_P99_US)}`,
    `    floor on this machine now (a bare spin loop on the same schedule, no operations): p50 ${floor.p50Us} µs, p99 ${floor.p99Us} µs, max ${floor.maxUs} µs`,
    `    during it the OS kept the harness waiting for a CPU ${pct(open.metrics.harnessRunQueueWaitShare ?? 0)} of the time; ` +
      `its own GC paused it ${pct(open.metrics.harnessGcPauseShare ?? 0)} (longest ${(open.metrics.harnessGcPauseMaxMs ?? 0).toFixed(2)} ms)`,
    `  event-loop delay p99 (closed/open): ${closed.metrics.harnessEventLoopDelayP99Ms?.toFixed(2)} / ${open.metrics.harnessEventLoopDelayP99Ms?.toFixed(2)} ms`,
    ...[...closed.warnings, ...open.warnings].map((w) => `  note: ${w}`),
  ];
  process.stdout.write(`${lines.join('\n')}\n`);
}

function fmt(n: number): string {
  return Math.round(n).toLocaleString('en-US');
}

function pct(share: number): string {
  return `${(share * 100).toFixed(2)}%`;
}

await main();

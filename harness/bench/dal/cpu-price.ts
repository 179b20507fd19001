// What this machine charges for CPU work between the round trips of one PostgreSQL transaction:
// the raw BEGIN/INSERT/INSERT/COMMIT of the outbox paths, once plain and once with a busy-wait of
// S µs before the row INSERT (where the DAL validates and builds its session). On a VM with few
// vCPUs the server process sleeps while the client computes, and waking it costs more the longer
// it slept, so S µs of client CPU can add 2–3 × S of latency. Printed beside the path table so a
// residual DAL/raw ratio can be read against the machine's price of the DAL's own CPU.
import { randomUUID } from 'node:crypto';
import { performance } from 'node:perf_hooks';
import { createScratchDatabase } from '../../provision/scratch-database.ts';
import { judgePath, type PathVerdict } from './verdict.ts';
import { measureRounds } from './rounds.ts';
import { rawPoolLikeDal } from './scratch-dal.ts';

export interface CpuPriceRow {
  readonly spinUs: number;
  /** Latency of the transaction with the spin ÷ without, per round; median and interval over rounds. */
  readonly verdict: PathVerdict;
  /** Added latency ÷ added CPU: 1 means the machine charges the CPU once, 3 means three times. */
  readonly amplification: number;
}

const TABLE = 'bench_cpu_price';

export async function measureCpuPrice(
  postgresUrl: string,
  options: { spinsUs: readonly number[]; rounds: number; timeMs: number; seed: number },
): Promise<CpuPriceRow[]> {
  await using scratch = await createScratchDatabase(postgresUrl, 'bench_cpu_price');
  const raw = rawPoolLikeDal(scratch.url);
  try {
    await raw.query(`CREATE TABLE ${TABLE} (id uuid PRIMARY KEY, data jsonb NOT NULL)`);
    await raw.query(`CREATE TABLE ${TABLE}_events (id bigserial PRIMARY KEY, entity_id uuid, payload jsonb)`);
    const transaction = async (spinUs: number) => {
      const client = await raw.connect();
      try {
        await client.query('BEGIN');
        busyWait(spinUs);
        const id = randomUUID();
        await client.query({
          name: 'cpu_price_row',
          text: `INSERT INTO ${TABLE} (id, data) VALUES ($1, $2::jsonb)`,
          values: [id, '{"name":"contamination sweep 42","status":"running"}'],
        });
        await client.query({
          name: 'cpu_price_event',
          text: `INSERT INTO ${TABLE}_events (entity_id, payload) VALUES ($1, $2::jsonb)`,
          values: [id, '{"op":"upsert"}'],
        });
        await client.query('COMMIT');
      } finally {
        client.release();
      }
    };
    const settle = async () => {
      await raw.query(`VACUUM ${TABLE}, ${TABLE}_events`);
    };
    const samples = await measureRounds(
      options.spinsUs.map((spinUs) => ({
        id: `machine.cpu-${spinUs}us`,
        title: `raw transaction with ${spinUs} µs of CPU between round trips vs without`,
        store: 'postgres' as const,
        dal: () => transaction(spinUs),
        raw: () => transaction(0),
        settle,
        note: '',
      })),
      { rounds: options.rounds, timeMs: options.timeMs },
    );
    return samples.map((sample, i) => {
      const spinUs = options.spinsUs[i] ?? 0;
      const verdict = judgePath(sample, { seed: options.seed });
      return {
        spinUs,
        verdict,
        amplification: spinUs > 0 ? (verdict.dalMedianUs - verdict.rawMedianUs) / spinUs : NaN,
      };
    });
  } finally {
    await raw.end();
  }
}

/** Holds the thread for `us` µs: CPU work the server has to wait for, as the DAL's own code is. */
function busyWait(us: number): void {
  if (us <= 0) return;
  const end = performance.now() + us / 1000;
  while (performance.now() < end);
}

export function formatCpuPrice(rows: readonly CpuPriceRow[]): string {
  return rows
    .map(
      ({ spinUs, verdict, amplification }) =>
        `  ${String(spinUs).padStart(3)} µs of CPU → ×${verdict.ratio.toFixed(3)} [${verdict.interval[0].toFixed(2)}, ${verdict.interval[1].toFixed(2)}] ` +
        `(${verdict.rawMedianUs.toFixed(0)} → ${verdict.dalMedianUs.toFixed(0)} µs: +${(verdict.dalMedianUs - verdict.rawMedianUs).toFixed(0)} µs, ${amplification.toFixed(1)} × the CPU)`,
    )
    .join('\n');
}

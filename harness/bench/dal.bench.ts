// npm run bench:dal — the reference DAL against the raw clients doing the same work, path by path,
// in interleaved rounds on stores this run starts (DALBENCH_STORES=auto|local|docker|external,
// default auto). Prints each path's DAL/raw ratio with its bootstrap interval; with --check exits 1
// when a path is over its target with confidence. Records per store what it measured, so that
// `dalbench run` on the same stores can show the DAL's own cost beside a profile comparison.
import { writeFileSync } from 'node:fs';
import { gitState } from '../metrics/run-metadata.ts';
import { defaultOverheadFile, storeIdentity, writeOverheadRecords } from '../metrics/dal-overhead.ts';
import { provisionStores, parseProvisionMode } from '../provision/create-provisioner.ts';
import type { StoreKind } from '../provision/provisioner.ts';
import { DalBenchArgsError, parseDalBenchArgs } from './dal/cli-args.ts';
import { PATH_GROUPS } from './dal/groups.ts';
import { describeCodeLoading } from './dal/code-loading.ts';
import { formatCpuPrice, measureCpuPrice } from './dal/cpu-price.ts';
import { benchOutboxRelay } from './dal/relay.ts';
import { runDalBench } from './dal/run-dal-bench.ts';
import { formatVerdictTable } from './dal/table.ts';
import { checkExitCode, type PathVerdict } from './dal/verdict.ts';

// TimescaleDB where it can come up (installed for local PostgreSQL, the docker image, or
// DALBENCH_TIMESCALE_URL): the time-series paths measure it beside the PostgreSQL layouts.
const kinds: StoreKind[] = ['postgres', 'timescaledb', 'redis', 'elasticsearch', 's3'];

async function main(): Promise<number> {
  let args;
  try {
    args = parseDalBenchArgs(process.argv.slice(2), process.env);
  } catch (error) {
    if (error instanceof DalBenchArgsError) {
      console.error(error.message);
      return 2;
    }
    throw error;
  }
  const mode = parseProvisionMode(process.env.DALBENCH_STORES, 'DALBENCH_STORES', 'auto');
  await using stores = await provisionStores(mode, kinds, (line) => console.error(`[stores] ${line}`));
  const urls = Object.fromEntries(
    Object.values(stores.endpoints).map((endpoint) => [endpoint.kind, endpoint.url]),
  );
  const codeLoading = describeCodeLoading(process.execArgv);
  console.error(
    `bench:dal seed ${args.seed} (replay with --seed ${args.seed}), ${args.rounds} rounds × ${args.timeMs} ms per task; ${codeLoading}`,
  );
  const { verdicts, skipped } = await runDalBench({
    groups: PATH_GROUPS,
    urls,
    unavailable: stores.unavailable,
    ...(args.select ? { select: args.select } : {}),
    rounds: args.rounds,
    timeMs: args.timeMs,
    seed: args.seed,
    log: (line) => console.error(line),
  });

  console.log(
    `\nDAL vs raw client, path by path (median of ${args.rounds} interleaved rounds; each round's ratio is median DAL ÷ median raw; noisy shared machine: compare ratios, not absolutes)\n`,
  );
  console.log(formatVerdictTable(verdicts));
  console.log('');
  for (const v of verdicts) console.log(`  · ${v.id}: ${v.note}`);

  if (!args.check && !args.select && urls.postgres) {
    console.error('running the machine calibration (CPU between round trips) …');
    const price = await measureCpuPrice(urls.postgres, {
      spinsUs: [10, 20, 40],
      rounds: args.rounds,
      timeMs: args.timeMs,
      seed: args.seed,
    });
    console.log(
      `\nthis machine's price of client CPU between the round trips of a raw PostgreSQL transaction (BEGIN, CPU, INSERT, INSERT, COMMIT vs the same without the CPU; median of ${args.rounds} interleaved rounds). The DAL's own code adds such CPU on every path; read a residual ratio against it:\n${formatCpuPrice(price)}`,
    );
  }

  if (!args.check && !args.select && urls.postgres && urls.elasticsearch) {
    console.error('running outbox relay throughput …');
    const relay = await benchOutboxRelay(urls.postgres, urls.elasticsearch);
    console.log(
      `\noutbox relay → Elasticsearch: ${relay.documentsPerSecond} documents/s draining ${relay.backlog} small events ` +
        `(target ≥ 5000: ${relay.documentsPerSecond >= 5000 ? 'met' : 'NOT met'}); commit → searchable lag over ` +
        `${relay.lagSamples} writes: median ${relay.lagMedianMs} ms, p99 ${relay.lagP99Ms} ms (includes the 1 s refresh interval)`,
    );
  }

  console.log(`\n${codeLoading}`);
  console.log('stores:');
  for (const endpoint of Object.values(stores.endpoints)) {
    console.log(
      `  ${endpoint.kind}: ${endpoint.serverVersion} (${endpoint.mode}) ${endpoint.notes.join('; ')}`,
    );
  }
  for (const line of skipped) console.log(`skipped: ${line}`);

  if (args.json)
    writeFileSync(args.json, `${JSON.stringify({ seed: args.seed, codeLoading, verdicts }, null, 2)}\n`);
  if (args.record && !args.select) {
    const file = args.record === 'default' ? defaultOverheadFile() : args.record;
    const git = await gitState(process.cwd());
    const measuredAt = new Date().toISOString();
    writeOverheadRecords(
      file,
      Object.values(stores.endpoints).flatMap((endpoint) => {
        const paths = verdicts.filter((v) => v.store === endpoint.kind).map(recorded);
        return paths.length === 0
          ? []
          : [
              {
                store: endpoint.kind,
                identity: storeIdentity(endpoint),
                measuredAt,
                gitRevision: git.revision,
                paths,
              },
            ];
      }),
    );
    console.log(`recorded per store in ${file} (read by \`dalbench run\` on the same stores)`);
  }
  if (!args.check) return 0;
  const over = verdicts.filter((v) => v.status === 'over');
  console.log(
    over.length === 0
      ? `check: pass (no path over its target with confidence)`
      : `check: FAIL — over target with confidence: ${over.map((v) => `${v.id} ${v.judged.toFixed(2)} [${v.interval[0].toFixed(2)}, ${v.interval[1].toFixed(2)}] > ${v.maxRatio.toFixed(2)}`).join('; ')}`,
  );
  return checkExitCode(verdicts);
}

function recorded(v: PathVerdict) {
  return {
    id: v.id,
    title: v.title,
    ratio: v.ratio,
    judged: v.judged,
    interval: v.interval,
    maxRatio: v.maxRatio,
    status: v.status,
  };
}

try {
  process.exitCode = await main();
} catch (error) {
  console.error('bench:dal failed:', error);
  process.exitCode = 2;
}

// `dalbench stores up|status|down`: bring stores up by hand (printing paste-able DALBENCH_*_URL lines and
// staying in the foreground until Ctrl-C), check them, and stop them from another terminal.
import { DEFAULT_STORE_MEMORY, parseStoreMemory } from '../../provision/store-memory.ts';
import { redactUrl } from '../../../reference-dal/errors.ts';
import { parseProvisionMode, parseStoreKinds, provisionStores } from '../../provision/create-provisioner.ts';
import { STORE_ENV } from '../../provision/external-provisioner.ts';
import { isAlive } from '../../provision/process-alive.ts';
import type { StoreEndpoint, StoreKind } from '../../provision/provisioner.ts';
import {
  elasticsearchVersion,
  postgresVersion,
  redisVersion,
  s3Version,
  timescaleVersion,
} from '../../provision/server-version.ts';
import {
  defaultStateFile,
  readStateFile,
  removeStateFile,
  writeStateFile,
} from '../../provision/state-file.ts';
import { printError } from '../print-error.ts';
import type { CliIo, RegisterCommand } from '../io.ts';
import { EXIT } from '../../results/exit-codes.ts';

const PROBES: Readonly<Record<StoreKind, (url: string) => Promise<string>>> = {
  postgres: postgresVersion,
  timescaledb: timescaleVersion,
  redis: redisVersion,
  elasticsearch: (url) => elasticsearchVersion(url),
  s3: (url) => s3Version(url),
};

interface UpOptions {
  stores?: string;
  kinds?: string;
  esVersion?: string;
  storeMemory?: string;
  stateFile?: string;
}

export const registerStoresCommand: RegisterCommand = (program, io, setExit) => {
  const stores = program
    .command('stores')
    .description('start, check and stop the stores (local | docker | external)');
  const fail = (error: unknown) => {
    setExit(printError(io, 'dalbench stores', error));
  };

  stores
    .command('up')
    .description('start stores, print their URLs, and keep them running until Ctrl-C')
    .option('--stores <mode>', 'auto | local | docker | external (default: $DALBENCH_STORES or auto)')
    .option('--kinds <list>', 'comma-separated: postgres,timescaledb,redis,elasticsearch,s3 (default: all)')
    .option(
      '--es-version <version>',
      'Elasticsearch version for local mode (default 9.2.4; 8.19.21 runs on JDK 17)',
    )
    .option(
      '--store-memory <sizes>',
      'postgres.shared_buffers=…,postgres.work_mem=…,elasticsearch.heap=… (MB or GB; default: PostgreSQL’s defaults, 512 MB heap)',
    )
    .option(
      '--state-file <path>',
      'where to record the running stores (default: $XDG_RUNTIME_DIR or cache dir)',
    )
    .action((options: UpOptions) => up(options, io).then(setExit, fail));

  stores
    .command('status')
    .description('check that the stores recorded by `stores up` answer')
    .option('--state-file <path>', 'state file written by `stores up`')
    .action((options: { stateFile?: string }) =>
      status(options.stateFile ?? defaultStateFile(io.env), io).then(setExit, fail),
    );

  stores
    .command('down')
    .description('stop the stores started by `stores up` and wait until they are gone')
    .option('--state-file <path>', 'state file written by `stores up`')
    .option('--timeout <ms>', 'how long to wait for the stores to stop', '60000')
    .action((options: { stateFile?: string; timeout: string }) =>
      down(options.stateFile ?? defaultStateFile(io.env), Number(options.timeout), io).then(setExit, fail),
    );
};

async function up(options: UpOptions, io: CliIo): Promise<number> {
  const mode = parseProvisionMode(
    options.stores ?? io.env['DALBENCH_STORES'],
    options.stores ? '--stores' : 'DALBENCH_STORES',
  );
  const kinds = parseStoreKinds(options.kinds, '--kinds');
  const memory =
    options.storeMemory === undefined
      ? undefined
      : parseStoreMemory(options.storeMemory, DEFAULT_STORE_MEMORY);
  const stateFile = options.stateFile ?? defaultStateFile(io.env);
  const existing = readStateFile(stateFile);
  if (existing && existing.pid !== process.pid && isAlive(existing.pid)) {
    io.err(
      `dalbench stores: stores are already up (pid ${existing.pid}, ${stateFile}); run \`dalbench stores down\` first\n`,
    );
    return EXIT.error;
  }
  const log = (line: string) => io.err(`${line}\n`);
  // Stop waiting as soon as Ctrl-C arrives, even mid-start: the provisioner cleans what it started.
  let onSignal: (() => void) | undefined;
  const interrupted = new Promise<void>((resolve) => (onSignal = resolve));
  const listener = () => onSignal?.();
  process.on('SIGINT', listener);
  process.on('SIGTERM', listener);
  try {
    const provisioned = await provisionStores(mode, kinds, log, {
      env: io.env,
      local: options.esVersion ? { esVersion: options.esVersion } : {},
      ...(memory ? { memory } : {}),
    });
    try {
      const endpoints = Object.values<StoreEndpoint>(provisioned.endpoints);
      writeStateFile(stateFile, {
        pid: process.pid,
        mode: endpoints[0]?.mode ?? (mode === 'auto' ? 'local' : mode),
        startedAt: new Date().toISOString(),
        endpoints,
        unavailable: { ...provisioned.unavailable },
      });
      io.out(describe(endpoints, provisioned.unavailable));
      io.out(`# state: ${stateFile}\n# stores stay up until Ctrl-C or \`dalbench stores down\`\n`);
      // Nothing else may keep the event loop alive (external mode starts no process): without this
      // timer Node would leave at once with exit 13, an unsettled top-level await.
      const keepAlive = setInterval(() => {}, 2 ** 30);
      try {
        await interrupted;
      } finally {
        clearInterval(keepAlive);
      }
      io.err('stopping stores...\n');
    } finally {
      await provisioned.stop();
      removeStateFile(stateFile, process.pid);
    }
    return EXIT.ok;
  } finally {
    process.off('SIGINT', listener);
    process.off('SIGTERM', listener);
  }
}

function describe(
  endpoints: readonly StoreEndpoint[],
  unavailable: Partial<Record<StoreKind, string>>,
): string {
  const lines: string[] = [];
  for (const e of endpoints) {
    lines.push(
      `# ${e.kind}: ${e.mode}, ${e.serverVersion}, up in ${e.startMs} ms${e.notes.length ? ` (${e.notes.join('; ')})` : ''}`,
    );
  }
  for (const [kind, why] of Object.entries(unavailable)) lines.push(`# ${kind}: unavailable: ${why}`);
  for (const e of endpoints) {
    // An external URL is the user's own, already in their environment: echoing it would print its
    // password into terminals and CI logs. Stores dalbench started print theirs to be pasted.
    if (e.mode === 'external') {
      lines.push(`# ${STORE_ENV[e.kind]} is set: ${redactUrl(e.url)}`);
      continue;
    }
    // timescaledb in docker mode shares the container with postgres but has its own variable.
    lines.push(`export ${STORE_ENV[e.kind]}='${e.url}'`);
  }
  return `${lines.join('\n')}\n`;
}

async function status(stateFile: string, io: CliIo): Promise<number> {
  const state = readStateFile(stateFile);
  if (!state) {
    io.err(`dalbench stores: no stores are up (no ${stateFile})\n`);
    return EXIT.error;
  }
  let healthy = isAlive(state.pid);
  io.out(
    `stores up by pid ${state.pid} (${healthy ? 'running' : 'NOT running'}) since ${state.startedAt}, mode ${state.mode}\n`,
  );
  const results = await Promise.all(
    state.endpoints.map(async (e) => {
      const began = performance.now();
      try {
        const version = await PROBES[e.kind](e.url);
        return `ok    ${e.kind.padEnd(13)} ${version} in ${Math.round(performance.now() - began)} ms  ${redactUrl(e.url)}`;
      } catch (error) {
        healthy = false;
        return `FAIL  ${e.kind.padEnd(13)} ${redactUrl(e.url)}: ${error instanceof Error ? error.message : String(error)}`;
      }
    }),
  );
  io.out(`${results.join('\n')}\n`);
  return healthy ? EXIT.ok : EXIT.error;
}

async function down(stateFile: string, timeoutMs: number, io: CliIo): Promise<number> {
  const state = readStateFile(stateFile);
  if (!state) {
    io.err(`dalbench stores: no stores are up (no ${stateFile})\n`);
    return EXIT.error;
  }
  if (!isAlive(state.pid)) {
    removeStateFile(stateFile, state.pid);
    io.err(`dalbench stores: pid ${state.pid} is gone already; removed ${stateFile}\n`);
    return EXIT.ok;
  }
  process.kill(state.pid, 'SIGTERM');
  const deadline = Date.now() + (Number.isFinite(timeoutMs) && timeoutMs > 0 ? timeoutMs : 60_000);
  while (isAlive(state.pid) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 100));
  if (isAlive(state.pid)) {
    io.err(`dalbench stores: pid ${state.pid} still running after ${timeoutMs} ms\n`);
    return EXIT.error;
  }
  io.out(`stores stopped (pid ${state.pid})\n`);
  return EXIT.ok;
}

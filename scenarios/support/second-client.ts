// A second client of the same stores, in a worker thread: its own PostgreSQL pool and Redis
// connection, so what it reads went through the stores and the cache protocol, not through this
// process's memory (an in-process reader would share the writer's in-flight bookkeeping and could
// never see a race between clients). It reads concurrently with the scenario's writers and judges
// every read against a CoherenceBoard shared through SharedArrayBuffers.
import { createRequire } from 'node:module';
import { pathToFileURL } from 'node:url';
import { Worker } from 'node:worker_threads';
import { sourceExtension } from '../../harness/run/source-extension.ts';
import type { CoherenceBoard } from './coherence-board.ts';
import type { SecondClientMessage, SecondClientSetup } from './second-client-protocol.ts';

export class SecondClientError extends Error {
  override name = 'SecondClientError';
}

export interface SecondClientOptions {
  /** Until every read loop has completed one read (a worker compiles the DAL first). */
  readonly readyTimeoutMs?: number;
  /** After `stop`, how long the worker may take to close its pool and connection. */
  readonly stopTimeoutMs?: number;
}

// From the sources the worker runs TypeScript: tsx's loader is registered inside it (workers do not
// inherit a loader registered in the parent on Node 20), then the entry module is imported. From the
// package's compiled dist/ the entry is JavaScript and needs no loader.
const BOOT = `
const { workerData } = require('node:worker_threads');
const { tsx, entry } = workerData.boot;
(tsx ? import(tsx).then((api) => api.register()) : Promise.resolve()).then(() => import(entry));
`;
const EXTENSION = sourceExtension(import.meta.url);

/** URL of tsx's ESM API (`tsx/esm/api` under the import condition; require.resolve would give the CJS one). */
function tsxEsmApi(): string {
  const require = createRequire(import.meta.url);
  const manifest = require.resolve('tsx/package.json');
  const { exports } = require(manifest) as {
    exports: Record<string, { import?: { default?: string } } | string>;
  };
  const api = exports['./esm/api'];
  const file = typeof api === 'object' ? api.import?.default : undefined;
  if (!file) throw new SecondClientError('tsx/package.json exports no ESM "./esm/api" entry');
  return new URL(file, pathToFileURL(manifest)).href;
}

export class SecondClient implements AsyncDisposable {
  readonly board: CoherenceBoard;
  readonly #worker: Worker;
  readonly #stopTimeoutMs: number;
  readonly #exited: Promise<void>;
  #firstError: string | undefined;
  #failure: string | undefined;
  #disposing: Promise<void> | undefined;

  private constructor(worker: Worker, board: CoherenceBoard, stopTimeoutMs: number) {
    this.#worker = worker;
    this.board = board;
    this.#stopTimeoutMs = stopTimeoutMs;
    this.#exited = new Promise((resolve) => worker.once('exit', () => resolve()));
    worker.on('message', (message: SecondClientMessage) => {
      if (message.type === 'error') this.#firstError ??= message.message;
      if (message.type === 'failed') this.#failure ??= message.message;
    });
    worker.on('error', (error) => (this.#failure ??= `${error.name}: ${error.message}`));
  }

  /** Start the worker and wait until each of its read loops has read once. */
  static async start(
    setup: Omit<SecondClientSetup, 'board'> & { board: CoherenceBoard },
    options: SecondClientOptions = {},
  ): Promise<SecondClient> {
    const readyTimeoutMs = options.readyTimeoutMs ?? 60_000;
    const worker = new Worker(BOOT, {
      eval: true,
      workerData: {
        boot: {
          tsx: EXTENSION === '.ts' ? tsxEsmApi() : undefined,
          entry: new URL(`./second-client-worker${EXTENSION}`, import.meta.url).href,
        },
        setup: { ...setup, board: setup.board.buffers },
      },
    });
    const client = new SecondClient(worker, setup.board, options.stopTimeoutMs ?? 10_000);
    try {
      await new Promise<void>((resolve, reject) => {
        const timer = setTimeout(
          () => reject(new SecondClientError(`second client not reading after ${readyTimeoutMs} ms`)),
          readyTimeoutMs,
        );
        const settle = (error?: Error) => {
          clearTimeout(timer);
          worker.off('message', onMessage);
          worker.off('error', onError);
          worker.off('exit', onExit);
          if (error) reject(error);
          else resolve();
        };
        const onMessage = (message: SecondClientMessage) => {
          if (message.type === 'ready') settle();
          if (message.type === 'failed')
            settle(new SecondClientError(`second client failed to start: ${message.message}`));
        };
        const onError = (error: Error) =>
          settle(new SecondClientError('second client thread crashed while starting', { cause: error }));
        const onExit = (code: number) =>
          settle(new SecondClientError(`second client thread exited (code ${code}) before reading`));
        worker.on('message', onMessage);
        worker.on('error', onError);
        worker.on('exit', onExit);
      });
    } catch (error) {
      await client[Symbol.asyncDispose]().catch(() => undefined);
      throw error;
    }
    return client;
  }

  /** The first read error the worker met (reads that failed are counted in `errors`), if any. */
  get firstError(): string | undefined {
    return this.#firstError;
  }

  /** Why the worker stopped reading on its own, if it did. */
  get failure(): string | undefined {
    return this.#failure;
  }

  /** Stop the readers and wait for the worker to close its pool and connection (terminate if it hangs). */
  [Symbol.asyncDispose](): Promise<void> {
    this.#disposing ??= (async () => {
      this.#worker.postMessage({ type: 'stop' });
      let timer: NodeJS.Timeout | undefined;
      const hung = new Promise<boolean>((resolve) => {
        timer = setTimeout(() => resolve(true), this.#stopTimeoutMs);
      });
      try {
        if (await Promise.race([this.#exited.then(() => false), hung])) await this.#worker.terminate();
      } finally {
        clearTimeout(timer);
      }
    })();
    return this.#disposing;
  }
}

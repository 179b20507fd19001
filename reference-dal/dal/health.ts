// Health of every configured store, probed in parallel, each bounded by its own timeout: a hung
// store reports a timeout instead of holding the others' answers back.
import type { StorageType } from '../config/storage-config.ts';
import type { StoreName } from '../errors.ts';

export interface StoreHealth {
  readonly store: StoreName;
  readonly ok: boolean;
  readonly latencyMs: number;
  readonly error?: string;
}

export type HealthReport = Readonly<Partial<Record<StorageType, StoreHealth>>>;

export interface HealthProbe {
  readonly type: StorageType;
  readonly store: StoreName;
  readonly timeoutMs: number;
  ping(signal: AbortSignal): Promise<void>;
}

export async function probe(target: HealthProbe): Promise<StoreHealth> {
  const controller = new AbortController();
  const started = performance.now();
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => {
      controller.abort();
      reject(new Error(`no answer within ${target.timeoutMs} ms`));
    }, target.timeoutMs);
  });
  try {
    await Promise.race([target.ping(controller.signal), timeout]);
    return { store: target.store, ok: true, latencyMs: performance.now() - started };
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    return { store: target.store, ok: false, latencyMs: performance.now() - started, error: message };
  } finally {
    clearTimeout(timer);
  }
}

export async function checkAll(targets: readonly HealthProbe[]): Promise<HealthReport> {
  const results = await Promise.all(targets.map(async (t) => [t.type, await probe(t)] as const));
  return Object.freeze(Object.fromEntries(results));
}

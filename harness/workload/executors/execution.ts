// What the executors of one scenario run share: the measure phase's per-operation stats and
// recorder, the counts progress reports show, and the stop flag (abort signal or error limit).
// Owned by runScenario; nothing here is module-level.
import { OperationStats } from '../../metrics/operation-stats.ts';
import { ScenarioRecorder } from '../../metrics/scenario-recorder.ts';

export type StopReason = 'signal' | 'error-limit';

export interface ExecutionOptions {
  readonly operations: readonly string[];
  /** Open loop: operations record their uncorrected latency beside the corrected one. */
  readonly openLoop: boolean;
  /** Stop after this many measured operation errors (autocannon's bailout). */
  readonly errorLimit: number | undefined;
  readonly signal: AbortSignal | undefined;
}

export class Execution implements Disposable {
  readonly recorder = new ScenarioRecorder();
  readonly signal: AbortSignal;
  stats: readonly OperationStats[] = [];
  stopReason: StopReason | undefined;
  /** Measured operations launched, and measured operations that failed. */
  measuredOps = 0;
  errors = 0;
  /** Operations running now, whatever their phase (an open loop caps them). */
  inFlight = 0;
  private readonly onAbort = () => this.stop('signal');

  constructor(private readonly options: ExecutionOptions) {
    this.signal = options.signal ?? new AbortController().signal;
    if (this.signal.aborted) this.stop('signal');
    else this.signal.addEventListener('abort', this.onAbort, { once: true });
  }

  get stopped(): boolean {
    return this.stopReason !== undefined;
  }

  stop(reason: StopReason): void {
    this.stopReason ??= reason;
  }

  /** Fresh per-operation stats whose series count seconds from `startMs`. */
  beginMeasure(startMs: number): void {
    this.stats = this.options.operations.map(
      (name) => new OperationStats(name, startMs, this.options.openLoop),
    );
  }

  failed(op: number, error: unknown, endMs: number): void {
    this.stats[op]!.error(error, endMs);
    this.errors++;
    const limit = this.options.errorLimit;
    if (limit !== undefined && this.errors >= limit) this.stop('error-limit');
  }

  [Symbol.dispose](): void {
    this.signal.removeEventListener('abort', this.onAbort);
  }
}

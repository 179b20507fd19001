// One fresh temp directory per provisioner, with an owner.json that lets a later run reap it after a crash.
import { randomUUID } from 'node:crypto';
import { chmodSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export const RUN_DIR_PREFIX = 'dalbench-';
export const OWNER_FILE = 'owner.json';
/** Marks directories this module made, so the reaper never touches another tool's `dalbench-*` dir. */
export const OWNER_TOOL = 'dalbench-provision';

export interface OwnerRecord {
  readonly tool: typeof OWNER_TOOL;
  readonly ownerPid: number;
  readonly sessionId: string;
  readonly createdAt: string;
  /** Process-group leaders this run started (each server runs in its own group). */
  readonly childPids: readonly number[];
}

export class RunDir {
  readonly #children = new Set<number>();
  private constructor(
    readonly path: string,
    readonly sessionId: string,
    private readonly createdAt: string,
  ) {}

  static create(parent = tmpdir()): RunDir {
    const path = mkdtempSync(join(parent, RUN_DIR_PREFIX));
    // Servers may run as another user (postgres/ES refuse root): they must traverse, not list, this dir.
    chmodSync(path, 0o711);
    const dir = new RunDir(path, randomUUID(), new Date().toISOString());
    dir.#writeOwner();
    return dir;
  }

  file(...parts: string[]): string {
    return join(this.path, ...parts);
  }

  addChild(pid: number): void {
    this.#children.add(pid);
    this.#writeOwner();
  }

  removeChild(pid: number): void {
    this.#children.delete(pid);
    this.#writeOwner();
  }

  /** Synchronous so it also works from a process 'exit' handler. */
  removeSync(): void {
    rmSync(this.path, { recursive: true, force: true, maxRetries: 3 });
  }

  #writeOwner(): void {
    const record: OwnerRecord = {
      tool: OWNER_TOOL,
      ownerPid: process.pid,
      sessionId: this.sessionId,
      createdAt: this.createdAt,
      childPids: [...this.#children],
    };
    // Written in place (tiny file): the reaper treats an unreadable owner.json as "not ours".
    writeFileSync(join(this.path, OWNER_FILE), JSON.stringify(record), { mode: 0o644 });
  }
}

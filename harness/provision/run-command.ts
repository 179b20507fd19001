// Run a helper command to completion (initdb, mvn, unzip, useradd); a failure carries its output.
import { spawn } from 'node:child_process';

export interface RunCommandOptions {
  readonly cwd?: string;
  readonly env?: NodeJS.ProcessEnv;
  readonly uid?: number;
  readonly gid?: number;
  readonly timeoutMs?: number;
  readonly signal?: AbortSignal;
}

export class CommandError extends Error {
  override name = 'CommandError';
  constructor(
    readonly command: string,
    readonly exitCode: number | null,
    readonly output: string,
    options: { cause?: unknown } = {},
  ) {
    const tail = output.trimEnd().split('\n').slice(-15).join('\n');
    super(
      `\`${command}\` failed (${exitCode === null ? 'no exit code' : `exit ${exitCode}`})${tail ? `:\n${tail}` : ''}`,
      options,
    );
  }
}

/** Resolves with stdout+stderr interleaved; rejects with CommandError on a non-zero exit, spawn error or timeout. */
export function runCommand(
  file: string,
  args: readonly string[],
  options: RunCommandOptions = {},
): Promise<string> {
  const command = [file, ...args].join(' ');
  return new Promise((resolve, reject) => {
    const child = spawn(file, args, {
      cwd: options.cwd,
      env: options.env ?? process.env,
      uid: options.uid,
      gid: options.gid,
      stdio: ['ignore', 'pipe', 'pipe'],
      timeout: options.timeoutMs ?? 600_000,
      killSignal: 'SIGKILL',
      signal: options.signal,
    });
    const chunks: Buffer[] = [];
    child.stdout.on('data', (chunk: Buffer) => chunks.push(chunk));
    child.stderr.on('data', (chunk: Buffer) => chunks.push(chunk));
    child.once('error', (error) =>
      reject(new CommandError(command, null, Buffer.concat(chunks).toString(), { cause: error })),
    );
    child.once('close', (code, signal) => {
      const output = Buffer.concat(chunks).toString();
      if (code === 0) resolve(output);
      else reject(new CommandError(command, code, signal ? `${output}\n(killed by ${signal})` : output));
    });
  });
}

// The CLI's io for tests: what the command printed on each stream, and every exit it asked for.
import type { CliIo } from '../../harness/cli/io.ts';

export interface CapturedIo extends CliIo {
  stdout: string;
  stderr: string;
  readonly exits: number[];
}

export function captureIo(env: NodeJS.ProcessEnv = {}): CapturedIo {
  const io: CapturedIo = {
    stdout: '',
    stderr: '',
    exits: [],
    out: (s: string) => void (io.stdout += s),
    err: (s: string) => void (io.stderr += s),
    exit: (code: number) => void io.exits.push(code),
    isTty: false,
    env,
  };
  return io;
}

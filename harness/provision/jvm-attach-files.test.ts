// The attach sockets a killed JVM leaves in /tmp: found by process group (parsed from /proc, names
// with spaces and parentheses included), only sockets removed, and a real JVM killed through
// ServerProcess leaves none.
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import net from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { findJdk } from './jdk.ts';
import { ATTACH_DIR, groupMembers, removeAttachSockets } from './jvm-attach-files.ts';
import { ServerProcess } from './server-process.ts';

const scratch = mkdtempSync(join(tmpdir(), 'dalbench-attach-'));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

describe('JVM attach sockets', () => {
  it('finds a group’s members in /proc, reading past a command name with spaces and parentheses', () => {
    const proc = join(scratch, 'proc');
    const stat = (pid: number, comm: string, pgrp: number) => {
      mkdirSync(join(proc, String(pid)), { recursive: true });
      writeFileSync(join(proc, String(pid), 'stat'), `${pid} (${comm}) S 1 ${pgrp} ${pgrp} 0 -1 4194560\n`);
    };
    stat(100, 'java', 100);
    stat(101, 'java) S 1 999 (x', 100);
    stat(102, 'redis-server', 102);
    mkdirSync(join(proc, 'self'), { recursive: true });
    expect(groupMembers(100, proc).sort()).toEqual([100, 101]);
    expect(groupMembers(7, join(scratch, 'no-proc'))).toEqual([]);
  });

  it('removes only the sockets of the given pids', async () => {
    const dir = join(scratch, 'tmp');
    mkdirSync(dir);
    const server = net.createServer();
    await new Promise<void>((resolve) => server.listen(join(dir, '.java_pid123'), resolve));
    writeFileSync(join(dir, '.java_pid124'), 'not a socket');
    const other = net.createServer();
    await new Promise<void>((resolve) => other.listen(join(dir, '.java_pid999'), resolve));
    try {
      expect(removeAttachSockets([123, 124, 125], dir)).toBe(1);
      expect(existsSync(join(dir, '.java_pid123'))).toBe(false);
      expect(existsSync(join(dir, '.java_pid124'))).toBe(true);
      expect(existsSync(join(dir, '.java_pid999'))).toBe(true);
    } finally {
      await new Promise((resolve) => server.close(resolve));
      await new Promise((resolve) => other.close(resolve));
    }
  });

  const jdk = findJdk(11, process.env['JAVA_HOME']);
  it.skipIf(!jdk)(
    `a JVM killed through ServerProcess leaves no attach socket behind${jdk ? '' : ' (skipped: no JDK 11+ found)'}`,
    async () => {
      const source = join(scratch, 'Sleep.java');
      writeFileSync(
        source,
        'class Sleep { public static void main(String[] a) throws Exception { Thread.sleep(120000); } }\n',
      );
      const server = await ServerProcess.spawn({
        store: 'elasticsearch',
        command: jdk!.java,
        args: ['-XX:+StartAttachListener', source],
        logFile: join(scratch, 'jvm.log'),
        cwd: scratch,
      });
      const socket = join(ATTACH_DIR, `.java_pid${server.pid}`);
      try {
        const deadline = Date.now() + 30_000;
        while (!existsSync(socket) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
        // The JVM listens as it starts: what every killed Elasticsearch left in /tmp before.
        expect(existsSync(socket)).toBe(true);
      } finally {
        await server.kill('SIGKILL');
      }
      expect(existsSync(socket)).toBe(false);
    },
  );
});

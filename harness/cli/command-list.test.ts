// command-list.ts repeats each command's summary and help term so `dalbench --help` loads none of
// them: these tests load every command and pin the table to what its file registers.
import { Command, Help } from 'commander';
import { describe, expect, it } from 'vitest';
import { captureIo } from '../../test/support/capture-io.ts';
import { COMMANDS, commandNamed } from './command-list.ts';
import { main } from './main.ts';

describe('command-list', () => {
  it.each(COMMANDS.map((entry) => [entry.name, entry] as const))(
    '%s: name, summary and help term match what the command registers',
    async (_name, entry) => {
      const program = new Command('dalbench');
      (await entry.load())(program, captureIo(), () => undefined);
      expect(program.commands).toHaveLength(1);
      const registered = program.commands[0]!;
      expect(registered.name()).toBe(entry.name);
      expect(registered.description()).toBe(entry.summary);
      expect(new Help().subcommandTerm(registered)).toBe(entry.term);
    },
  );

  it('finds the command to load, also behind `help`', () => {
    expect(commandNamed(['run', '--quick'])?.name).toBe('run');
    expect(commandNamed(['help', 'merge'])?.name).toBe('merge');
    expect(commandNamed(['--help'])).toBeUndefined();
    expect(commandNamed([])).toBeUndefined();
    expect(commandNamed(['nope'])).toBeUndefined();
  });

  it('lists every command in --help without running a command hook', async () => {
    const io = captureIo();
    let hooked = 0;
    const code = await main(['--help'], io, { beforeCommand: () => Promise.resolve(void hooked++) });
    expect(code).toBe(0);
    for (const entry of COMMANDS) expect(io.stdout).toContain(`  ${entry.term}`);
    expect(hooked).toBe(0);
  });

  it('runs the command hook once before a command acts', async () => {
    const io = captureIo();
    let hooked = 0;
    const code = await main(['merge', 'only-one.json', '--out', 'x.json'], io, {
      beforeCommand: () => Promise.resolve(void hooked++),
    });
    expect(hooked).toBe(1);
    expect(code).toBe(2);
  });
});

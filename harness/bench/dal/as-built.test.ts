// bench:dal runs the sources as the package ships them (tsc's transpiler), not through tsx, whose esbuild wraps
// every named closure in a `__name` call each time it is created: a per-call cost the installed DAL does not have.
import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { afterAll, describe, expect, it } from 'vitest';

const run = promisify(execFile);
const root = fileURLToPath(new URL('../../../', import.meta.url));
const register = join(root, 'scripts/as-built/register.js');
const dir = mkdtempSync(join(tmpdir(), 'dalbench-as-built-'));
writeFileSync(join(dir, 'package.json'), '{ "type": "module" }\n'); // as in the project: tsx then loads ESM
afterAll(() => rmSync(dir, { recursive: true, force: true }));

// A closure made per call (as the DAL's transaction bodies are), `await using`, and a type-only import.
const probe = `import type { Readable } from 'node:stream';
class Held { disposed = false; async [Symbol.asyncDispose]() { this.disposed = true; } }
export function perCall(n: number): () => number {
  const inner = () => n + 1;
  return inner;
}
let held: Held | undefined;
{
  await using h = new Held();
  held = h;
}
const nothing: Readable | undefined = undefined;
console.log(JSON.stringify({ source: String(perCall), value: perCall(1)(), disposed: held?.disposed, nothing }));
`;

describe('scripts/as-built (how bench:dal loads the sources)', () => {
  it('runs TypeScript as tsc transpiles it: no __name call per closure, await using and type imports work', async () => {
    const file = join(dir, 'probe.ts');
    writeFileSync(file, probe);
    const asBuilt = await run(process.execPath, ['--import', register, file], { cwd: root });
    const out = JSON.parse(asBuilt.stdout) as { source: string; value: number; disposed: boolean };
    expect(out.value).toBe(2);
    expect(out.disposed).toBe(true);
    expect(out.source).not.toContain('__name');
    // What bench:dal measured before: the same closure under tsx pays a __name call each time it is made.
    const tsx = await run(process.execPath, ['--import', 'tsx', file], { cwd: root });
    expect((JSON.parse(tsx.stdout) as { source: string }).source).toContain('__name');
  });

  it('names the file when a source does not transpile', async () => {
    const file = join(dir, 'broken.ts');
    writeFileSync(file, 'export const x = (;\n');
    const failed = await run(process.execPath, ['--import', register, file], { cwd: root }).catch(
      (error: { stderr: string; code: number }) => error,
    );
    expect('code' in failed && failed.code).toBe(1);
    expect((failed as { stderr: string }).stderr).toContain(`as-built: ${file} does not transpile:`);
  });

  it('says how the code was loaded, from the flags node was started with', async () => {
    const file = join(dir, 'says.ts');
    writeFileSync(
      file,
      `import { describeCodeLoading } from ${JSON.stringify(join(root, 'harness/bench/dal/code-loading.ts'))};\nconsole.log(describeCodeLoading(process.execArgv));\n`,
    );
    const asBuilt = await run(process.execPath, ['--import', register, file], { cwd: root });
    expect(asBuilt.stdout.trim()).toBe('code: as built (TypeScript transpiled by tsc, as the package ships)');
    const tsx = await run(process.execPath, ['--import', 'tsx', file], { cwd: root });
    expect(tsx.stdout).toMatch(/^code: through tsx \(esbuild's keepNames/);
  });

  it('is how npm run bench:dal starts', () => {
    const scripts = (
      JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as { scripts: Record<string, string> }
    ).scripts;
    expect(scripts['bench:dal']).toBe(
      'node --import ./scripts/as-built/register.js harness/bench/dal.bench.ts',
    );
  });
});

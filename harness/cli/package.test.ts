// The package's shape, without building it: every `exports` target is a file `npm run build` emits
// (its source is in tsconfig.build.json's program), the public entry has the define* functions, and
// tests stay out of the build. Packing and installing the tarball is a CI job, not a unit test.
import { readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import ts from 'typescript';
import { describe, expect, it } from 'vitest';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));

interface PackageJson {
  bin: Record<string, string>;
  files: string[];
  types: string;
  exports: Record<string, string | { types: string; default: string }>;
  scripts: Record<string, string>;
}

const pkg = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as PackageJson;

function buildProgramFiles(): string[] {
  const parsed = ts.getParsedCommandLineOfConfigFile(join(ROOT, 'tsconfig.build.json'), undefined, {
    ...ts.sys,
    onUnRecoverableConfigFileDiagnostic: (diagnostic) => {
      throw new Error(ts.flattenDiagnosticMessageText(diagnostic.messageText, '\n'));
    },
  });
  if (!parsed) throw new Error('tsconfig.build.json: cannot be read');
  expect(parsed.options.outDir && relative(ROOT, parsed.options.outDir)).toBe('dist');
  return parsed.fileNames.map((file) => relative(ROOT, file));
}

/** The source a dist/ file is emitted from: dist/x/y.js and dist/x/y.d.ts come from x/y.ts. */
function sourceOf(target: string): string {
  const match = /^\.\/dist\/(.+)\.(?:d\.ts|js)$/.exec(target);
  if (!match) throw new Error(`${target}: expected ./dist/….js or ./dist/….d.ts`);
  return `${match[1]}.ts`;
}

describe('package.json', () => {
  const built = buildProgramFiles();

  it.each(Object.entries(pkg.exports).filter(([name]) => name !== './package.json'))(
    'exports "%s" point at files the build emits',
    (_name, target) => {
      expect(typeof target).toBe('object');
      const { types, default: code } = target as { types: string; default: string };
      expect(sourceOf(types)).toBe(sourceOf(code));
      expect(built).toContain(sourceOf(code));
    },
  );

  it('ships dist/ and bin/, builds before packing, and declares the entry types', () => {
    expect(pkg.files).toEqual(expect.arrayContaining(['dist', 'bin']));
    expect(pkg.scripts['prepack']).toBe('npm run build');
    expect(pkg.types).toBe((pkg.exports['.'] as { types: string }).types);
    expect(Object.values(pkg.bin)).toEqual(['bin/dalbench.js']);
  });

  it('builds no tests, test support or benches', () => {
    expect(built.filter((file) => /\.test\.ts$|^test\/|^harness\/bench\//.test(file))).toEqual([]);
  });

  it('the public entry exports the define* functions', async () => {
    const api = await import('../../index.ts');
    for (const name of ['defineConfig', 'defineProfile', 'defineScenario', 'defineBudgets'] as const)
      expect(typeof api[name]).toBe('function');
  });

  it('dalbench/conformance exports the five contract suites', async () => {
    const suites = await import('../../conformance.ts');
    expect(Object.keys(suites).sort()).toEqual([
      'cacheContract',
      'documentsContract',
      'metadataContract',
      'objectsContract',
      'timeSeriesContract',
    ]);
  });
});

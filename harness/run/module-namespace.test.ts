import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { moduleNamespace } from './module-namespace.ts';

describe('moduleNamespace', () => {
  it('returns an ES module namespace as it is', () => {
    const mod = { default: { a: 1 }, named: 2 };
    expect(moduleNamespace(mod)).toBe(mod);
  });

  it('unwraps CommonJS compiled from ESM (tsx outside "type": "module"): default and named exports', () => {
    const compiled = { __esModule: true, default: { a: 1 }, budgets: { b: 2 } };
    const ns = moduleNamespace({ default: compiled, budgets: { b: 2 } });
    expect(ns['default']).toEqual({ a: 1 });
    expect(ns['budgets']).toEqual({ b: 2 });
  });

  it('keeps a plain CommonJS module.exports object as the default export', () => {
    const mod = { default: { a: 1 } };
    expect(moduleNamespace(mod)['default']).toEqual({ a: 1 });
  });

  it('reads a real CommonJS module the way Node imports it', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'dalbench-module-namespace-'));
    try {
      const file = join(dir, 'compiled.cjs');
      // What tsx emits for `export default { a: 1 }` in a CommonJS scope.
      writeFileSync(
        file,
        'Object.defineProperty(exports, "__esModule", { value: true });\nexports.default = { a: 1 };\n',
      );
      const mod = (await import(file)) as Record<string, unknown>;
      expect(moduleNamespace(mod)['default']).toEqual({ a: 1 });
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

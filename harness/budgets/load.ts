// loadBudgetSet('adr-024' | path.ts | path.yaml | path.json): one entry point for `run --budgets` and `check`.
import { readFile } from 'node:fs/promises';
import { extname, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { LineCounter, parseDocument, isNode } from 'yaml';
import { moduleNamespace } from '../run/module-namespace.ts';
import { sourceExtension } from '../run/source-extension.ts';
import { BudgetSyntaxError } from './errors.ts';
import { resolveBudgetSet } from './resolve.ts';
import type { BudgetSet } from './schema.ts';

/**
 * Built-in sets by name, resolved relative to this file so the CLI works from any cwd (and with the
 * extension of this file: .ts in a clone, .js in the installed package's dist/).
 */
const BUILT_IN: Record<string, URL> = {
  'adr-024': new URL(`../../scenarios/budgets/adr-024${sourceExtension(import.meta.url)}`, import.meta.url),
};

export function builtInBudgetSets(): string[] {
  return Object.keys(BUILT_IN);
}

export async function loadBudgetSet(nameOrPath: string): Promise<BudgetSet> {
  const builtIn = BUILT_IN[nameOrPath];
  if (builtIn) return loadModule(builtIn.href, nameOrPath);
  const path = resolve(nameOrPath);
  const ext = extname(path).toLowerCase();
  if (ext === '.ts' || ext === '.js' || ext === '.mjs')
    return loadModule(pathToFileURL(path).href, nameOrPath);
  if (ext === '.yaml' || ext === '.yml' || ext === '.json') return loadDocument(path, nameOrPath);
  throw new BudgetSyntaxError(
    nameOrPath,
    `unknown budget set: expected a built-in name (${builtInBudgetSets().join(', ')}) or a .ts/.yaml/.yml/.json file`,
  );
}

async function loadModule(href: string, source: string): Promise<BudgetSet> {
  let module: Record<string, unknown>;
  try {
    module = (await import(href)) as Record<string, unknown>;
  } catch (error) {
    throw new BudgetSyntaxError(source, `cannot load budget module: ${(error as Error).message}`, {
      cause: error,
    });
  }
  const exports = moduleNamespace(module);
  const raw = exports['default'] ?? exports['budgets'];
  if (raw === undefined)
    throw new BudgetSyntaxError(source, 'budget module has no default export (use defineBudgets)');
  return resolveBudgetSet(raw, source);
}

/** YAML and JSON (a subset of YAML) parse with positions, so schema errors can name the line. */
export async function loadDocument(path: string, source: string): Promise<BudgetSet> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (error) {
    throw new BudgetSyntaxError(source, `cannot read budget file: ${(error as Error).message}`, {
      cause: error,
    });
  }
  return parseBudgetDocument(text, source);
}

export function parseBudgetDocument(text: string, source: string): BudgetSet {
  const lineCounter = new LineCounter();
  const doc = parseDocument(text, { lineCounter, prettyErrors: false });
  const first = doc.errors[0];
  if (first) {
    const line = lineCounter.linePos(first.pos[0]).line;
    throw new BudgetSyntaxError(source, `syntax error: ${first.message.split('\n')[0]}`, {
      line,
      cause: first,
    });
  }
  const locate = (path: readonly PropertyKey[]): number | undefined => {
    for (let depth = path.length; depth >= 0; depth--) {
      const node: unknown = depth === 0 ? doc.contents : doc.getIn(path.slice(0, depth) as unknown[], true);
      if (isNode(node) && node.range) return lineCounter.linePos(node.range[0]).line;
    }
    return undefined;
  };
  let raw: unknown;
  try {
    raw = doc.toJS();
  } catch (error) {
    // The YAML parser accepts an alias to no anchor (`*x`) or too many aliases (a "billion laughs"
    // file); only building the value refuses them, with a ReferenceError that names no file.
    throw new BudgetSyntaxError(source, `syntax error: ${(error as Error).message.split('\n')[0]}`, {
      cause: error,
    });
  }
  return resolveBudgetSet(raw, source, locate);
}

// Module hooks for register.js: a `.ts` file (never one under node_modules) is transpiled by TypeScript's
// transpileModule with the build's target and module syntax kept as written; everything else loads as usual.
import { readFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import ts from 'typescript';

const compilerOptions = {
  target: ts.ScriptTarget.ES2022,
  module: ts.ModuleKind.ESNext,
  verbatimModuleSyntax: true,
  inlineSourceMap: true,
};

export async function load(url, context, nextLoad) {
  if (!url.startsWith('file:') || !url.endsWith('.ts') || url.includes('/node_modules/')) {
    return nextLoad(url, context);
  }
  const fileName = fileURLToPath(url);
  const source = await readFile(fileName, 'utf8');
  const { outputText, diagnostics } = ts.transpileModule(source, {
    fileName,
    compilerOptions,
    reportDiagnostics: true,
  });
  const errors = (diagnostics ?? []).filter((d) => d.category === ts.DiagnosticCategory.Error);
  if (errors.length > 0) {
    const text = errors.map((d) => ts.flattenDiagnosticMessageText(d.messageText, '\n')).join('; ');
    throw new Error(`as-built: ${fileName} does not transpile: ${text}`);
  }
  return { format: 'module', source: outputText, shortCircuit: true };
}

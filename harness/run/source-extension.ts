// Which files sit beside a module at run time: the TypeScript sources (a clone, run through tsx or
// vitest) or the package's compiled dist/. A path built from a string at run time (a worker's entry,
// a built-in budget set) is not rewritten by tsc the way import specifiers are, so it takes the
// extension of the module that builds it.

/** `.ts` when `moduleUrl` (a caller's import.meta.url) is a source file, `.js` when it is compiled. */
export function sourceExtension(moduleUrl: string): '.ts' | '.js' {
  return new URL(moduleUrl).pathname.endsWith('.ts') ? '.ts' : '.js';
}

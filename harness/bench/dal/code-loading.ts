// How this process loaded its TypeScript, said beside the figures: the DAL's per-call cost depends on it.

/** One line for the bench's output, from the node flags this process was started with. */
export function describeCodeLoading(execArgv: readonly string[]): string {
  if (execArgv.some((arg) => arg.includes('scripts/as-built/register.js'))) {
    return 'code: as built (TypeScript transpiled by tsc, as the package ships)';
  }
  if (execArgv.some((arg) => arg.includes('tsx'))) {
    return "code: through tsx (esbuild's keepNames wraps each named closure in a __name call when it is made: a per-call cost the built package does not have; npm run bench:dal loads the code as built)";
  }
  return `code: loaded with node flags [${execArgv.join(' ')}]`;
}

// `node --import ./scripts/as-built/register.js file.ts`: run TypeScript sources compiled the way the package is
// built (tsc's own transpiler, target ES2022), not through tsx. tsx's esbuild keeps function names by wrapping
// every named closure in a `__name` call each time it is created; tsc emits nothing of the kind, so a benchmark
// of the DAL under tsx charges it a cost the installed package does not have (bench:dal runs this way).
import { register } from 'node:module';

register('./hooks.js', import.meta.url);

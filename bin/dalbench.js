#!/usr/bin/env node
// The CLI is TypeScript run through tsx: no build step between a clone and a run.
import { register } from 'tsx/esm/api';

register();
const { main } = await import('../harness/cli/main.ts');
process.exitCode = await main(process.argv.slice(2));

#!/usr/bin/env node
// The `album-load` command: runs the TypeScript CLI through tsx, so it needs no build step.
import { register } from 'tsx/esm/api';

register();
const { main } = await import('./cli');
await main(process.argv.slice(2));

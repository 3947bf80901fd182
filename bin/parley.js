#!/usr/bin/env node
// `npx parley` straight from the checkout, with no build step: tsx compiles the TypeScript as it is loaded.
import { register } from 'tsx/esm/api';

register();
const { run } = await import('../src/cli/main.ts');
await run(process.argv.slice(2));

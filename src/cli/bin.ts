#!/usr/bin/env node
import { main } from './main.js';

// exitCode rather than process.exit(): pending output is flushed before Node exits.
process.exitCode = await main(process.argv.slice(2));

#!/usr/bin/env node
// The `genlab` command: runs the CLI bundle that `npm run build` writes to dist/cli.js.
'use strict';
const { existsSync } = require('node:fs');
const { join } = require('node:path');

const cli = join(__dirname, '..', 'dist', 'cli.js');
if (!existsSync(cli)) {
  process.stderr.write(`genlab: ${cli} is missing; run \`npm run build\` first\n`);
  process.exitCode = 1;
} else {
  require(cli).run(process.argv.slice(2));
}

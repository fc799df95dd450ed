#!/usr/bin/env node
'use strict';
// The `zerodown` command. Committed (unlike dist/), so npm links it at install time, even in a fresh
// clone before the first build; it loads the compiled CLI and says what to do when it is missing.
const { existsSync } = require('node:fs');
const { join } = require('node:path');

const built = join(__dirname, '..', 'dist', 'bin.js');
if (!existsSync(built)) {
  process.stderr.write(`zerodown: the CLI is not built (${built} is missing); run \`npm run build\` at the repository root\n`);
  process.exitCode = 1;
} else {
  require(built);
}

#!/usr/bin/env node
'use strict';
// `npm run demo`: builds first (see package.json), then runs demo/main.ts. Options: --out DIR (default
// demo/out), --connections N (default 32), --quiet.
require('./register-ts');
require('./main.ts')
  .main(process.argv.slice(2))
  .then((code) => {
    process.exitCode = code;
  })
  .catch((error) => {
    process.stderr.write(`demo failed: ${error && error.stack ? error.stack : error}\n`);
    process.exitCode = 1;
  });

#!/usr/bin/env node
'use strict';
// API reports (api-extractor) of every public entry point: packages/<pkg>/etc/<entry>.api.md.
//   node scripts/api-report.js          check: fails (exit 1) when the built .d.ts differ from the checked-in reports
//   node scripts/api-report.js --update  regenerate the reports after a deliberate change (npm run api:update)
// Needs the build (npm run build). The entry points are read from each package's `exports`.
const fs = require('node:fs');
const path = require('node:path');
const { Extractor, ExtractorConfig } = require('@microsoft/api-extractor');

const ROOT = path.resolve(__dirname, '..');
const PACKAGES = ['core', 'express', 'fastify', 'cli'];
const update = process.argv.includes('--update');

/** [package dir, report name, .d.ts entry] for every `exports` entry with types (or `types` when none). */
function entries() {
  const list = [];
  for (const pkg of PACKAGES) {
    const dir = path.join(ROOT, 'packages', pkg);
    const manifest = JSON.parse(fs.readFileSync(path.join(dir, 'package.json'), 'utf8'));
    const exp = manifest.exports ?? { '.': { types: `./${manifest.types}` } };
    for (const [subpath, target] of Object.entries(exp)) {
      if (typeof target !== 'object' || !target.types) continue;
      const name = subpath === '.' ? pkg : `${pkg}-${subpath.slice(2).replace(/\//g, '-')}`;
      list.push([dir, name, path.join(dir, target.types)]);
    }
  }
  return list;
}

let failed = 0;
for (const pkg of PACKAGES) fs.mkdirSync(path.join(ROOT, 'packages', pkg, 'etc'), { recursive: true });
for (const [dir, name, dts] of entries()) {
  const configObject = {
    projectFolder: dir,
    mainEntryPointFilePath: dts,
    bundledPackages: [],
    compiler: { tsconfigFilePath: path.join(dir, 'tsconfig.json') },
    apiReport: { enabled: true, reportFileName: `${name}.api.md`, reportFolder: path.join(dir, 'etc'), reportTempFolder: path.join(ROOT, 'node_modules/.cache/api-report') },
    docModel: { enabled: false },
    dtsRollup: { enabled: false },
    tsdocMetadata: { enabled: false },
    newlineKind: 'lf',
    messages: {
      compilerMessageReporting: { default: { logLevel: 'warning' } },
      extractorMessageReporting: {
        default: { logLevel: 'warning' },
        // types reachable only through a documented one (HealthRegistry via zd.health, ...) stay unexported on purpose
        'ae-forgotten-export': { logLevel: 'none', addToApiReportFile: false },
        'ae-missing-release-tag': { logLevel: 'none' },
        'ae-internal-missing-underscore': { logLevel: 'none', addToApiReportFile: false },
        'ae-unresolved-link': { logLevel: 'none', addToApiReportFile: false },
        'ae-undocumented': { logLevel: 'none', addToApiReportFile: false },
      },
      tsdocMessageReporting: { default: { logLevel: 'none' } },
    },
  };
  const config = ExtractorConfig.prepare({ configObject, configObjectFullPath: path.join(dir, 'api-extractor.json'), packageJsonFullPath: path.join(dir, 'package.json') });
  const result = Extractor.invoke(config, { localBuild: update, showVerboseMessages: false, messageCallback: (m) => { if (m.logLevel === 'warning' || m.logLevel === 'error') m.handled = false; } });
  const report = path.relative(ROOT, path.join(dir, 'etc', `${name}.api.md`));
  if (result.succeeded) {
    console.log(`api-report: ${report} ${result.apiReportChanged ? 'updated' : 'unchanged'}`);
  } else {
    failed++;
    console.error(`api-report: ${report} differs from the build, or the check failed (see above). If the change is deliberate, run \`npm run api:update\` and commit the report.`);
  }
}
process.exitCode = failed ? 1 : 0;

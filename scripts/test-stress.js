#!/usr/bin/env node
'use strict';
/**
 * `npm run test:stress`: the stability check of issue 12. Builds once, then runs the whole Jest suite
 * `--runs` times in a row (default 3) while a CPU hog keeps every core busy (one spinning child process
 * per core, default `os.availableParallelism()`), and reports each run: passed/failed tests and suites,
 * duration, failed test names, and whether Jest had to force-exit a worker. Exits 1 if any run failed.
 *
 * Bounded: each hog stops by itself after `--hog-max-min` minutes (default 120) or as soon as this script
 * is gone; each Jest run is killed after `--run-max-min` minutes (default 40). Ctrl-C (SIGINT/SIGTERM)
 * stops the hogs and the Jest run in progress. Not part of .ci/run.
 *
 * Usage: node scripts/test-stress.js [--runs 3] [--hogs N] [--run-max-min 40] [--hog-max-min 120] [-- jest args…]
 */
const { spawn } = require('node:child_process');
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');

const ROOT = path.resolve(__dirname, '..');

function parseArgs(argv) {
  const o = { runs: 3, hogs: os.availableParallelism ? os.availableParallelism() : os.cpus().length, runMaxMin: 40, hogMaxMin: 120, jestArgs: [] };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (a === '--') {
      o.jestArgs = argv.slice(i + 1);
      break;
    }
    const v = Number(argv[i + 1]);
    const key = { '--runs': 'runs', '--hogs': 'hogs', '--run-max-min': 'runMaxMin', '--hog-max-min': 'hogMaxMin' }[a];
    if (!key || !Number.isFinite(v) || v < 0 || (key !== 'hogs' && v <= 0)) {
      process.stderr.write(`test-stress: unknown option or bad value: ${a} ${argv[i + 1] ?? ''}\n`);
      process.exit(2);
    }
    o[key] = v;
    i++;
  }
  return o;
}

const opts = parseArgs(process.argv.slice(2));
const hogs = new Set();
let jest; // the child in progress (pretest, then each Jest run): its own process group
let stopping = false;

/** One spinning process: busy until its deadline, or until its parent (this script) is gone. */
function startHog(maxMs) {
  const code = `
    const end = Date.now() + ${Math.round(maxMs)};
    const parent = process.ppid;
    let n = 0;
    for (;;) {
      if (++n % 5e6 === 0) {
        if (Date.now() > end) process.exit(0);
        try { process.kill(parent, 0); } catch { process.exit(0); }
        if (process.ppid !== parent) process.exit(0);
      }
    }`;
  const c = spawn(process.execPath, ['-e', code], { stdio: 'ignore' });
  hogs.add(c);
  c.once('exit', () => hogs.delete(c));
  return c;
}

function stopHogs() {
  for (const c of hogs) c.kill('SIGKILL');
}

function stopAll(signal) {
  if (stopping) return;
  stopping = true;
  process.stderr.write(`\ntest-stress: ${signal}: stopping the CPU hogs and Jest\n`);
  stopHogs();
  if (jest && jest.exitCode === null && jest.signalCode === null) {
    try {
      process.kill(-jest.pid, 'SIGKILL'); // the whole group: Jest, its workers and the apps they started
    } catch {
      jest.kill('SIGKILL');
    }
  }
  process.exit(130);
}
process.on('SIGINT', () => stopAll('SIGINT'));
process.on('SIGTERM', () => stopAll('SIGTERM'));
process.on('exit', stopHogs);

/** Runs Jest once; resolves with its summary. */
function runJest(i) {
  const out = path.join(os.tmpdir(), `zd-stress-${process.pid}-${i}.json`);
  const t0 = Date.now();
  return new Promise((resolve) => {
    jest = spawn(process.execPath, [path.join(ROOT, 'node_modules/jest/bin/jest.js'), '--ci', '--json', `--outputFile=${out}`, ...opts.jestArgs], {
      cwd: ROOT,
      env: { ...process.env, CI: 'true' },
      stdio: ['ignore', 'ignore', 'pipe'],
      detached: true, // its own process group, killed as one on Ctrl-C or at the time bound
    });
    let stderr = '';
    jest.stderr.setEncoding('utf8').on('data', (d) => {
      stderr += d;
      process.stderr.write(d);
    });
    const timer = setTimeout(() => {
      process.stderr.write(`test-stress: run ${i} exceeded ${opts.runMaxMin} min: killed\n`);
      try {
        process.kill(-jest.pid, 'SIGKILL');
      } catch {
        jest.kill('SIGKILL');
      }
    }, opts.runMaxMin * 60000);
    jest.once('close', (code, signal) => {
      clearTimeout(timer);
      let r = {};
      try {
        r = JSON.parse(fs.readFileSync(out, 'utf8'));
        fs.rmSync(out, { force: true });
      } catch {
        /* no report: counted as a failed run below */
      }
      const failedNames = [];
      for (const s of r.testResults ?? []) {
        for (const t of s.assertionResults ?? []) if (t.status === 'failed') failedNames.push(`${path.relative(ROOT, s.name)}: ${t.fullName}`);
        if (s.status === 'failed' && !(s.assertionResults ?? []).some((t) => t.status === 'failed')) failedNames.push(`${path.relative(ROOT, s.name)}: ${(s.message || 'suite failed').split('\n')[0]}`);
      }
      resolve({
        run: i,
        code: code ?? 128,
        signal,
        seconds: Math.round((Date.now() - t0) / 100) / 10,
        passed: r.numPassedTests ?? 0,
        failed: r.numFailedTests ?? 0,
        total: r.numTotalTests ?? 0,
        suitesFailed: r.numFailedTestSuites ?? 0,
        suitesTotal: r.numTotalTestSuites ?? 0,
        forcedExit: /worker process has failed to exit gracefully/i.test(stderr),
        failedNames,
      });
    });
  });
}

const ok = (r) => r.code === 0 && r.failed === 0 && r.suitesFailed === 0 && r.total > 0 && !r.forcedExit;
const line = (r) =>
  `run ${r.run}: ${ok(r) ? 'PASS' : 'FAIL'}  tests ${r.passed} passed, ${r.failed} failed of ${r.total}; suites ${r.suitesTotal - r.suitesFailed}/${r.suitesTotal} passed; ${r.seconds} s; jest exit ${r.code}${r.signal ? ` (${r.signal})` : ''}${r.forcedExit ? '; a worker was force-exited (open handles)' : ''}`;

async function main() {
  process.stdout.write('test-stress: building and type-checking the tests once (npm run pretest)\n');
  jest = spawn('npm', ['run', 'pretest', '--silent'], { cwd: ROOT, stdio: 'inherit', detached: true });
  const pre = await new Promise((resolve) => jest.once('close', (code) => resolve(code)));
  if (pre !== 0) {
    process.stderr.write('test-stress: pretest failed\n');
    process.exit(1);
  }
  process.stdout.write(`test-stress: ${opts.runs} run(s) of the whole suite with ${opts.hogs} CPU hog(s) spinning (bounded to ${opts.hogMaxMin} min)\n`);
  for (let i = 0; i < opts.hogs; i++) startHog(opts.hogMaxMin * 60000);
  const results = [];
  for (let i = 1; i <= opts.runs; i++) {
    process.stdout.write(`test-stress: run ${i} of ${opts.runs}\n`);
    const r = await runJest(i);
    results.push(r);
    process.stdout.write(`test-stress: ${line(r)}\n`);
  }
  stopHogs();
  process.stdout.write('\ntest-stress: summary\n');
  for (const r of results) {
    process.stdout.write(`  ${line(r)}\n`);
    for (const n of r.failedNames) process.stdout.write(`    failed: ${n}\n`);
  }
  const passed = results.filter(ok).length;
  process.stdout.write(`test-stress: ${passed} of ${results.length} runs passed\n`);
  process.exit(passed === results.length ? 0 : 1);
}

main().catch((error) => {
  process.stderr.write(`test-stress: ${error && error.stack ? error.stack : error}\n`);
  stopHogs();
  process.exit(1);
});

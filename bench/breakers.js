'use strict';
// Breaker micro-benchmark (run after `npm run build`): ns/call of a trivial async function raw, through
// opossum directly and through zd.breakers.wrap (same run), and heap per breaker for 1,000 breakers.
// Standalone: node --expose-gc bench/breakers.js   ·   From bench/run.js: require('./breakers').run()
const CircuitBreaker = require('opossum');
const { zerodown } = require('@zerodown/core');

const silent = { error() {}, warn() {}, info() {}, debug() {} };
const makeZd = () => zerodown({ logger: silent, drain: { signals: false, exit: false }, control: { socket: false }, monitors: false, alerts: { log: false } });

async function timeIt(fn, iterations) {
  for (let i = 0; i < Math.min(20000, iterations); i++) await fn(i);
  const t0 = process.hrtime.bigint();
  for (let i = 0; i < iterations; i++) await fn(i);
  return Number(process.hrtime.bigint() - t0) / iterations;
}

function heapUsed() {
  global.gc();
  global.gc();
  return process.memoryUsage().heapUsed;
}

/** Runs the benchmark; returns rows `{ name, value, unit }`. */
async function run({ iterations = 200000, breakers = 1000, rounds = 3 } = {}) {
  const trivial = async (x) => x;
  const opts = { timeout: 3000, enableSnapshots: false, rollingPercentilesEnabled: false };
  const direct = new CircuitBreaker(trivial, opts);
  const zd = makeZd();
  const wrapped = zd.breakers.wrap('bench', (_call, x) => trivial(x), { health: false, alert: false });
  const best = { raw: Infinity, opossum: Infinity, wrap: Infinity };
  for (let r = 0; r < rounds; r++) {
    best.raw = Math.min(best.raw, await timeIt((i) => trivial(i), iterations));
    best.opossum = Math.min(best.opossum, await timeIt((i) => direct.fire(i), iterations));
    best.wrap = Math.min(best.wrap, await timeIt((i) => wrapped(i), iterations));
  }
  direct.shutdown();
  zd.dispose();
  const rows = [
    { name: 'breaker call: raw async fn', value: Math.round(best.raw), unit: 'ns/call' },
    { name: 'breaker call: opossum directly', value: Math.round(best.opossum), unit: 'ns/call' },
    { name: 'breaker call: zd.breakers.wrap', value: Math.round(best.wrap), unit: 'ns/call' },
    { name: 'breaker call: wrap overhead over opossum', value: Math.round(((best.wrap - best.opossum) / best.opossum) * 1000) / 10, unit: '%', target: '< 25' },
  ];
  if (typeof global.gc === 'function') {
    const zd2 = makeZd();
    const before = heapUsed();
    const fns = [];
    for (let i = 0; i < breakers; i++) fns.push(zd2.breakers.wrap(`b${i}`, (_call, x) => trivial(x)));
    for (const f of fns) await f(1);
    const after = heapUsed();
    rows.push({ name: `breaker memory (${breakers} breakers, with /health checks)`, value: Math.round((after - before) / breakers), unit: 'bytes/breaker', target: '< 3072' });
    zd2.dispose();
    const rotate = new (require('node:events').EventEmitter)();
    rotate.setMaxListeners(0);
    const base = heapUsed();
    const raw = [];
    for (let i = 0; i < breakers; i++) raw.push(new CircuitBreaker(trivial, { ...opts, rotateBucketController: rotate, name: `o${i}` }));
    rows.push({ name: `opossum alone (${breakers} breakers, shared rotation timer)`, value: Math.round((heapUsed() - base) / breakers), unit: 'bytes/breaker' });
    for (const b of raw) b.shutdown();
  } else {
    rows.push({ name: 'breaker memory', value: NaN, unit: 'bytes/breaker', note: 'run with node --expose-gc' });
  }
  return rows;
}

module.exports = { run };

if (require.main === module) {
  if (typeof global.gc !== 'function') {
    // re-run ourselves with --expose-gc so the memory row is measured
    const { spawnSync } = require('node:child_process');
    process.exit(spawnSync(process.execPath, ['--expose-gc', __filename], { stdio: 'inherit' }).status ?? 1);
  }
  run().then((rows) => {
    for (const r of rows) console.log(`${r.name.padEnd(55)} ${String(r.value).padStart(10)} ${r.unit}${r.target ? `  (target ${r.target})` : ''}`);
  });
}

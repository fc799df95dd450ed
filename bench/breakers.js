'use strict';
// Breaker micro-benchmark (run after `npm run build`): ns/call of a trivial async function raw, through
// opossum directly and through zd.breakers.wrap (same run), and heap per breaker for 1,000 breakers:
// registered and never called (idle), after each was called once (active), and after one rolling window
// more with no call (the opossum instances are reclaimed; 1 s window here so it is quick), each measured in a fresh
// `node --expose-gc` child process so one measurement's garbage never counts in another.
// Standalone: node bench/breakers.js   ·   From bench/run.js: require('./breakers').run()
const { execFileSync } = require('node:child_process');
const { EventEmitter } = require('node:events');
const CircuitBreaker = require('opossum');
const { zerodown } = require('@zerodown/core');

const silent = { error() {}, warn() {}, info() {}, debug() {} };
const WINDOW_MS = 1000;
const makeZd = (breakers) => zerodown({ logger: silent, drain: { signals: false, exit: false }, control: { socket: false }, monitors: false, alerts: { log: false }, ...(breakers ? { breakers } : {}) });
const trivial = async (x) => x;
const settle = () => new Promise((r) => setImmediate(r));

async function timeIt(fn, iterations) {
  for (let i = 0; i < Math.min(20000, iterations); i++) await fn(i);
  const t0 = process.hrtime.bigint();
  for (let i = 0; i < iterations; i++) await fn(i);
  return Number(process.hrtime.bigint() - t0) / iterations;
}

async function heapUsed() {
  await settle();
  global.gc();
  global.gc();
  return process.memoryUsage().heapUsed;
}

/**
 * Child-process side: bytes per breaker for `kind` ('zerodown' or 'opossum'), idle then active.
 * zerodown breakers are wrapped with their defaults, each with its non-critical /health check.
 */
async function measureMemory(kind, breakers) {
  const zd = kind === 'zerodown' ? makeZd({ rollingCountTimeoutMs: WINDOW_MS }) : undefined;
  const rotate = new EventEmitter();
  rotate.setMaxListeners(0);
  const opts = { timeout: 3000, enableSnapshots: false, rollingPercentilesEnabled: false, rotateBucketController: rotate };
  await settle();
  const base = await heapUsed();
  const fns = [];
  for (let i = 0; i < breakers; i++) {
    if (zd) fns.push(zd.breakers.wrap(`b${i}`, (_call, x) => trivial(x)));
    else {
      const c = new CircuitBreaker(trivial, { ...opts, name: `o${i}` });
      fns.push((x) => c.fire(x));
    }
  }
  const idle = await heapUsed();
  for (const f of fns) await f(1);
  const active = await heapUsed();
  let after;
  if (zd) {
    // idle for one window (+ one bucket, as the reclaim needs): bounded wait for every instance to be dropped
    const end = Date.now() + WINDOW_MS * 5;
    while (zd.breakers.all().some((b) => b.active) && Date.now() < end) await new Promise((r) => setTimeout(r, 50));
    after = Math.round(((await heapUsed()) - base) / breakers);
  }
  return { idle: Math.round((idle - base) / breakers), active: Math.round((active - base) / breakers), after, keep: fns.length };
}

function memoryInChild(kind, breakers) {
  const out = execFileSync(process.execPath, ['--expose-gc', __filename, `--memory=${kind}`, `--breakers=${breakers}`], { encoding: 'utf8' });
  return JSON.parse(out.trim().split('\n').pop());
}

/** Runs the benchmark; returns rows `{ name, value, unit }`. */
async function run({ iterations = 200000, breakers = 1000, rounds = 3 } = {}) {
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
  const zdMem = memoryInChild('zerodown', breakers);
  const opMem = memoryInChild('opossum', breakers);
  return [
    { name: 'breaker call: raw async fn', value: Math.round(best.raw), unit: 'ns/call' },
    { name: 'breaker call: opossum directly', value: Math.round(best.opossum), unit: 'ns/call' },
    { name: 'breaker call: zd.breakers.wrap', value: Math.round(best.wrap), unit: 'ns/call' },
    { name: 'breaker call: wrap overhead over opossum', value: Math.round(((best.wrap - best.opossum) / best.opossum) * 1000) / 10, unit: '%', target: '< 25' },
    { name: `breaker memory, idle (${breakers} registered, never called, with /health checks)`, value: zdMem.idle, unit: 'bytes/breaker', target: '< 3072' },
    { name: `breaker memory, active (${breakers} breakers, each called once)`, value: zdMem.active, unit: 'bytes/breaker', target: '< 3072' },
    { name: `breaker memory, after the window (${breakers} breakers called once, then idle for one window)`, value: zdMem.after, unit: 'bytes/breaker', target: '< 3072' },
    { name: `opossum alone, active (${breakers}, its defaults, shared rotation timer)`, value: opMem.active, unit: 'bytes/breaker' },
  ];
}

module.exports = { run };

if (require.main === module) {
  const arg = (name) => process.argv.find((a) => a.startsWith(`--${name}=`))?.split('=')[1];
  const kind = arg('memory');
  if (kind) {
    measureMemory(kind, Number(arg('breakers') ?? 1000)).then((r) => {
      process.stdout.write(`${JSON.stringify(r)}\n`);
      process.exit(0);
    });
  } else {
    run().then((rows) => {
      for (const r of rows) console.log(`${r.name.padEnd(90)} ${String(r.value).padStart(8)} ${r.unit}${r.target ? `  (target ${r.target})` : ''}`);
    });
  }
}

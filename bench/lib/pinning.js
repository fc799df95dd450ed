'use strict';
// CPU pinning: with `taskset` (util-linux) and at least 2 CPUs, the server runs on CPU 0 and the load
// generator (this process) on CPU 1, so neither steals the other's core: far less round-to-round noise.
// BENCH_PIN=0 turns it off.

const { execFileSync } = require('node:child_process');
const os = require('node:os');

let cached;

/** `{ server, generator }` CPU lists, or undefined when pinning is off or unavailable. */
function pinning() {
  if (cached !== undefined) return cached || undefined;
  cached = false;
  if (process.env.BENCH_PIN === '0' || os.cpus().length < 2 || process.platform !== 'linux') return undefined;
  try {
    execFileSync('taskset', ['-c', '0', 'true'], { stdio: 'ignore' });
  } catch {
    return undefined;
  }
  cached = { server: '0', generator: '1' };
  return cached;
}

/** Pins this process (the load generator) to its CPU; returns a line for the report. */
function pinSelf() {
  const pin = pinning();
  if (!pin) return 'CPU pinning: off (no taskset, fewer than 2 CPUs, or BENCH_PIN=0)';
  execFileSync('taskset', ['-p', '-c', pin.generator, String(process.pid)], { stdio: 'ignore' });
  return `CPU pinning: server on CPU ${pin.server}, load generator on CPU ${pin.generator} (taskset)`;
}

module.exports = { pinning, pinSelf };

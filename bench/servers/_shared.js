'use strict';
// Shared bits of the benchmark target servers: the hello body, the port announcement, and the
// health check an app would register (a small async "dependency ping" that counts its runs).

/** Body of the hello route, identical on every target. */
const HELLO = 'hello world\n';

/** Runs of the custom check (read by the runner over IPC to show probes answer from cache). */
let checkRuns = 0;

/** An async dependency check, as an app would register one (resolves on the next tick). */
async function dependencyCheck() {
  checkRuns++;
  await new Promise((resolve) => setImmediate(resolve));
}

/**
 * Tells the runner which port the server listens on (first stdout line, JSON) and answers its stats
 * requests over IPC: custom check runs and this process's CPU time (user + system, µs).
 */
function announce(port) {
  process.stdout.write(`${JSON.stringify({ port, pid: process.pid })}\n`);
  process.on('message', (msg) => {
    if (msg && msg.type === 'stats' && process.send) process.send({ type: 'stats', checkRuns, cpu: process.cpuUsage() });
  });
  // the runner going away (IPC channel closed) ends the server too
  process.on('disconnect', () => process.exit(0));
}

/**
 * `BENCH_TIMERS=off` (set by bench/instructions.js): zerodown's timer-driven work is turned off
 * (`monitors: false`, `health.eventLoopStallMs: 0`, no control socket, the custom check runs once at
 * start), so an instruction count of the request path does not depend on wall time (valgrind runs ~50x slower).
 */
const timersOff = process.env.BENCH_TIMERS === 'off';

/** A zerodown instance configured as a benchmarked app would be: silent logger, no signal handlers, one custom check. */
function benchZerodown() {
  const { zerodown, silentLogger } = require('@zerodown/core');
  const quiet = timersOff ? { monitors: false, health: { eventLoopStallMs: 0 }, control: { socket: false } } : {};
  const zd = zerodown({ serviceName: 'bench', logger: silentLogger, drain: { signals: false }, ...quiet });
  // timers off: the check runs once at start (1 h: longer than any run). Not 2 ** 31 - 1: a timer that far out
  // makes node's own timer functions (setUnrefTimeout, clearTimeout) compile ~1.4k instructions/request
  // larger in the counted window, an artifact no app with a seconds-scale check interval has
  zd.health.register('db', dependencyCheck, { critical: true, timeoutMs: 500, intervalMs: timersOff ? 3_600_000 : 5000 });
  return zd;
}

module.exports = { HELLO, announce, dependencyCheck, benchZerodown, timersOff };

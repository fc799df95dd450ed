'use strict';
// One autocannon run (in this, the runner's, process) against a server in another process, with the
// server's CPU time per request (read over IPC before and after): a cost measure that other processes
// competing for the CPU disturb much less than requests/s.

const autocannon = require('autocannon');

const cpuUs = (s) => (s && s.cpu ? s.cpu.user + s.cpu.system : undefined);

/** Runs autocannon against `url` and returns req/s, latency percentiles, error counts and server CPU µs per request. */
async function runLoad({ url, durationS, connections, pipelining, server }) {
  const before = server ? await server.stats() : undefined;
  const r = await autocannon({ url, duration: durationS, connections, pipelining });
  const after = server ? await server.stats() : undefined;
  const cpu = cpuUs(before) !== undefined && cpuUs(after) !== undefined && r.requests.total > 0 ? (cpuUs(after) - cpuUs(before)) / r.requests.total : undefined;
  return {
    rps: r.requests.average,
    total: r.requests.total,
    p50: r.latency.p50,
    p99: r.latency.p99,
    errors: r.errors,
    timeouts: r.timeouts,
    non2xx: r.non2xx,
    cpuUsPerReq: cpu,
    cpuUserUsPerReq: cpu === undefined ? undefined : (after.cpu.user - before.cpu.user) / r.requests.total,
    checkRuns: before && after ? after.checkRuns - before.checkRuns : undefined,
  };
}

module.exports = { runLoad };

'use strict';
// One autocannon run (in this, the runner's, process) against a server in another process.

const autocannon = require('autocannon');

/** Runs autocannon and returns req/s, latency percentiles and error counts. */
async function runLoad({ url, durationS, connections, pipelining }) {
  const r = await autocannon({ url, duration: durationS, connections, pipelining });
  return {
    rps: r.requests.average,
    total: r.requests.total,
    p50: r.latency.p50,
    p99: r.latency.p99,
    errors: r.errors,
    timeouts: r.timeouts,
    non2xx: r.non2xx,
  };
}

module.exports = { runLoad };

'use strict';
// Summary statistics over benchmark rounds.

/** Median of a non-empty list of numbers. */
function median(values) {
  const s = [...values].sort((a, b) => a - b);
  const mid = Math.floor(s.length / 2);
  return s.length % 2 === 1 ? s[mid] : (s[mid - 1] + s[mid]) / 2;
}

/** Spread of the rounds, (max - min) / median, as a fraction (0 with one round). */
function spread(values) {
  const m = median(values);
  return m === 0 ? 0 : (Math.max(...values) - Math.min(...values)) / m;
}

/** Median req/s, p99 and server CPU µs/request of a target's rounds, the req/s spread, summed errors. */
function summarise(runs) {
  const rps = runs.map((r) => r.rps);
  const cpu = runs.map((r) => r.cpuUsPerReq).filter((x) => x !== undefined);
  return {
    rps: median(rps),
    p99: median(runs.map((r) => r.p99)),
    cpuUsPerReq: cpu.length ? median(cpu) : undefined,
    spread: spread(rps),
    errors: runs.reduce((n, r) => n + r.errors + r.timeouts + r.non2xx, 0),
    runs,
  };
}

/**
 * Throughput of `a` relative to `b`, paired round by round (each round measured them back to back,
 * so slow drifts in background load cancel out), as the median of the per-round ratios:
 * `rps` compares requests/s, `cpu` compares server CPU per request (b's cost / a's cost).
 */
function pairedRatio(a, b, by = 'rps') {
  const ratios = [];
  for (let i = 0; i < Math.min(a.runs.length, b.runs.length); i++) {
    const x = a.runs[i];
    const y = b.runs[i];
    if (by === 'rps') ratios.push(x.rps / y.rps);
    else if (x.cpuUsPerReq && y.cpuUsPerReq) ratios.push(y.cpuUsPerReq / x.cpuUsPerReq);
  }
  return ratios.length ? median(ratios) : undefined;
}

module.exports = { median, spread, summarise, pairedRatio };

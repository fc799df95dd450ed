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

/** Median req/s and p99 of a target's rounds, their spread, and the summed error counts. */
function summarise(rounds) {
  const rps = rounds.map((r) => r.rps);
  return {
    rps: median(rps),
    p99: median(rounds.map((r) => r.p99)),
    spread: spread(rps),
    errors: rounds.reduce((n, r) => n + r.errors + r.timeouts + r.non2xx, 0),
    rounds: rps,
  };
}

module.exports = { median, spread, summarise };

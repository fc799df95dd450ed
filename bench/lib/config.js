'use strict';
// Benchmark settings from the environment (BENCH_*), validated once at start.

const path = require('node:path');

const GROUPS = ['express', 'fastify', 'http'];

/** Reads a whole number from env var `name` (default `def`), at least `min`; throws naming the variable otherwise. */
function intFromEnv(env, name, def, min) {
  const raw = env[name];
  if (raw === undefined || raw === '') return def;
  const n = Number(raw);
  if (!Number.isInteger(n) || n < min) throw new Error(`bench: invalid ${name}=${JSON.stringify(raw)}: expected a whole number >= ${min}`);
  return n;
}

/** The resolved benchmark configuration. */
function loadConfig(env = process.env) {
  const groups = (env.BENCH_TARGETS ?? GROUPS.join(',')).split(',').map((s) => s.trim()).filter(Boolean);
  for (const g of groups) {
    if (!GROUPS.includes(g)) throw new Error(`bench: invalid BENCH_TARGETS entry ${JSON.stringify(g)}: expected a comma-separated subset of ${GROUPS.join(', ')}`);
  }
  return {
    durationS: intFromEnv(env, 'BENCH_DURATION', 3, 1),
    rounds: intFromEnv(env, 'BENCH_ROUNDS', 4, 1),
    connections: intFromEnv(env, 'BENCH_CONNECTIONS', 100, 1),
    pipelining: intFromEnv(env, 'BENCH_PIPELINING', 1, 1),
    warmupS: intFromEnv(env, 'BENCH_WARMUP', 1, 0),
    probeDurationS: intFromEnv(env, 'BENCH_PROBE_DURATION', 3, 0),
    groups,
    breakers: env.BENCH_BREAKERS !== '0',
    requestPath: env.BENCH_REQUEST_PATH !== '0',
    instructions: env.BENCH_INSTRUCTIONS !== '0',
    output: path.resolve(env.BENCH_OUTPUT ?? path.join(__dirname, '..', 'results', 'latest.md')),
  };
}

module.exports = { loadConfig, GROUPS };

'use strict';
// Fastify + zerodown with probeRoutes: true (the probe paths also as routes, for fastify.inject): what the routes cost.
process.env.BENCH_PROBE_ROUTES = '1';
require('./fastify-zerodown');

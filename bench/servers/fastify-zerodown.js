'use strict';
// Fastify 5 + zerodown as the README wires it: the plugin attaches the server (probes answered in front of Fastify).
const Fastify = require('fastify');
const { zerodownFastify } = require('@zerodown/fastify');
const { HELLO, announce, benchZerodown } = require('./_shared');

async function main() {
  const zd = benchZerodown();
  const app = Fastify({ logger: false });
  // fastify-probe-routes.js runs this file with the opt-in routes (what they cost)
  await app.register(zerodownFastify, { zerodown: zd, probeRoutes: process.env.BENCH_PROBE_ROUTES === '1' });
  app.get('/', async () => HELLO);
  await app.listen({ port: 0, host: '127.0.0.1' });
  zd.ready();
  announce(app.server.address().port);
}
main().catch((error) => {
  console.error(error);
  process.exit(1);
});

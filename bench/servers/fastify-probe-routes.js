'use strict';
// Fastify + zerodown with probeRoutes: true (the probe paths also as routes, for fastify.inject): what the routes cost.
const Fastify = require('fastify');
const { zerodownFastify } = require('@zerodown/fastify');
const { HELLO, announce, benchZerodown } = require('./_shared');

async function main() {
  const zd = benchZerodown();
  const app = Fastify({ logger: false });
  await app.register(zerodownFastify, { zerodown: zd, probeRoutes: true });
  app.get('/', async () => HELLO);
  await app.listen({ port: 0, host: '127.0.0.1' });
  zd.ready();
  announce(app.server.address().port);
}
main().catch((error) => {
  console.error(error);
  process.exit(1);
});

'use strict';
// Fastify 5 + `zd.attach(fastify.server)` alone (no plugin): isolates the attach wrapper's cost.
const Fastify = require('fastify');
const { HELLO, announce, benchZerodown } = require('./_shared');

async function main() {
  const zd = benchZerodown();
  const app = Fastify({ logger: false });
  app.get('/', async () => HELLO);
  await app.listen({ port: 0, host: '127.0.0.1' });
  zd.attach(app.server);
  zd.ready();
  announce(app.server.address().port);
}
main().catch((error) => {
  console.error(error);
  process.exit(1);
});

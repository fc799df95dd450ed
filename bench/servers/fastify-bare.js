'use strict';
// Bare Fastify 5: the hello route only.
const Fastify = require('fastify');
const { HELLO, announce } = require('./_shared');

const app = Fastify({ logger: false });
app.get('/', async () => HELLO);
app.listen({ port: 0, host: '127.0.0.1' }).then(
  () => announce(app.server.address().port),
  (error) => {
    console.error(error);
    process.exit(1);
  },
);

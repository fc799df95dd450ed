'use strict';
// Express 5 + @godaddy/terminus (the peer): readiness/liveness checks and graceful shutdown as its README shows.
const http = require('node:http');
const express = require('express');
const { createTerminus } = require('@godaddy/terminus');
const { HELLO, announce, dependencyCheck } = require('./_shared');

const app = express();
app.get('/', (req, res) => res.send(HELLO));
const server = http.createServer(app);
createTerminus(server, {
  healthChecks: { '/readyz': () => dependencyCheck(), '/livez': () => Promise.resolve() },
  signals: ['SIGTERM', 'SIGINT'],
  timeout: 1000,
  useExit0: true,
});
server.listen(0, '127.0.0.1', () => announce(server.address().port));

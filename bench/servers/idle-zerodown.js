'use strict';
// An idle app with zerodown's default options (silent logger, no signal handlers): what zerodown costs
// in the background, with no traffic (bench/instructions.js counts its instructions per second).
const http = require('node:http');
const { announce } = require('./_shared');
const { zerodown, silentLogger } = require('@zerodown/core');

const zd = zerodown({ serviceName: 'bench-idle', logger: silentLogger, drain: { signals: false } });
const server = http.createServer((req, res) => res.end());
zd.attach(server);
server.listen(0, '127.0.0.1', () => {
  zd.ready();
  announce(server.address().port);
});

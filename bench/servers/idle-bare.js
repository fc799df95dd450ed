'use strict';
// An idle node:http server without zerodown: the baseline of bench/servers/idle-zerodown.js.
const http = require('node:http');
const { announce } = require('./_shared');

const server = http.createServer((req, res) => res.end());
server.listen(0, '127.0.0.1', () => announce(server.address().port));

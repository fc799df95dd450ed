'use strict';
// Bare node:http: the hello handler only.
const http = require('node:http');
const { HELLO, announce } = require('./_shared');

const handler = (req, res) => {
  res.writeHead(200, { 'content-type': 'text/plain; charset=utf-8' });
  res.end(HELLO);
};
const server = http.createServer(handler);
server.listen(0, '127.0.0.1', () => announce(server.address().port));

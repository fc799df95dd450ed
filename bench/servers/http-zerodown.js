'use strict';
// node:http + zerodown: zd.requestListener(handler) answers probes first; zd.attach(server) tracks drain.
const http = require('node:http');
const { HELLO, announce, benchZerodown } = require('./_shared');

const zd = benchZerodown();
const handler = (req, res) => {
  res.writeHead(200, { 'content-type': 'text/plain; charset=utf-8' });
  res.end(HELLO);
};
const server = http.createServer(zd.requestListener(handler));
zd.attach(server);
server.listen(0, '127.0.0.1', () => {
  zd.ready();
  announce(server.address().port);
});

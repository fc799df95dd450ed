'use strict';
// The app of bench/reload.js: node:http with zerodown (drain without delay: no load balancer here).
// Under `zerodown serve` it reports readiness over IPC; under PM2 cluster mode it drains on SIGINT
// (PM2's reload signal) and tells PM2 it is ready (`wait_ready`); alone it drains on SIGTERM.
const http = require('node:http');
const { zerodown } = require('@zerodown/core');

const zd = zerodown({ serviceName: 'bench-reload', drain: { delayMs: 0, timeoutMs: 30000 }, logger: require('@zerodown/core').silentLogger, alerts: { enabled: false }, monitors: false });
const server = http.createServer((req, res) => res.end(`hello from ${process.pid}\n`));
server.keepAliveTimeout = 65000;
server.headersTimeout = 66000;
zd.attach(server);
server.listen(Number(process.env.PORT), '127.0.0.1', () => {
  zd.ready();
  if (process.send && process.env.pm_id !== undefined) process.send('ready');
});

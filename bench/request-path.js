'use strict';
// In-process cost of zerodown's per-request work, free of the network: real http.Server / Express /
// Fastify objects (not listening) handle real IncomingMessage / ServerResponse objects with a handler
// that does nothing, so the difference to bare is zerodown's own work (probe match, drain tracking,
// the extra Express layer, the Fastify hooks). Each variant runs in its own child process (no JIT
// cross-talk between variants), several times, alternating; the median of the per-process best is kept.
// Standalone: `node bench/request-path.js` (after `npm run build`).

const { execFileSync } = require('node:child_process');
const http = require('node:http');
const net = require('node:net');
const { median } = require('./lib/stats');

const quietZd = () => {
  const { zerodown, silentLogger } = require('@zerodown/core');
  return zerodown({ logger: silentLogger, drain: { signals: false }, monitors: false, control: { socket: false }, health: { eventLoopStallMs: 0 } });
};
const noop = () => {};

function viaServer(server) {
  return (req, res) => {
    server.emit('request', req, res);
    res.emit('close');
  };
}

function withAttach(listener) {
  const server = http.createServer(listener);
  quietZd().attach(server);
  return server;
}

function expressApp(withZd) {
  const express = require('express');
  const app = express();
  if (withZd) app.use(require('@zerodown/express').zerodownExpress(quietZd()));
  app.get('/', (req, res) => {
    res.statusCode = 200;
  });
  return (req, res) => {
    app(req, res);
    res.emit('close');
  };
}

async function fastifyInject(withZd) {
  const app = require('fastify')({ logger: false });
  if (withZd) await app.register(require('@zerodown/fastify').zerodownFastify, { zerodown: quietZd() });
  app.get('/', async () => 'hello world\n');
  await app.ready();
  return () => app.inject({ method: 'GET', url: '/' });
}

/** The variants: group, label, requests per timed loop, and a factory of the per-request function. */
const VARIANTS = [
  { group: 'node:http', label: 'bare', n: 200000, make: () => viaServer(http.createServer(noop)) },
  { group: 'node:http', label: 'zd.requestListener (probe match)', n: 200000, make: () => viaServer(http.createServer(quietZd().requestListener(noop))) },
  { group: 'node:http', label: 'zd.attach (drain tracking)', n: 200000, make: () => viaServer(withAttach(noop)) },
  { group: 'node:http', label: 'requestListener + attach', n: 200000, make: () => viaServer(withAttach(quietZd().requestListener(noop))) },
  { group: 'Express 5', label: 'bare', n: 5000, make: () => expressApp(false) },
  { group: 'Express 5', label: 'zerodownExpress middleware', n: 5000, make: () => expressApp(true) },
  // fastify.inject (light-my-request): Fastify's routing and hooks without the node server (drain tracking is in the node:http rows)
  { group: 'Fastify 5 (inject)', label: 'bare', n: 3000, async: true, make: () => fastifyInject(false) },
  { group: 'Fastify 5 (inject)', label: 'zerodownFastify plugin', n: 3000, async: true, make: () => fastifyInject(true) },
];

/** Child side: best ns/request of 3 timed loops (after one warm-up loop) of one variant. */
async function measureVariant(index) {
  const v = VARIANTS[index];
  const fn = await v.make();
  const socket = new net.Socket();
  const loop = async () => {
    const t0 = process.hrtime.bigint();
    if (v.async) {
      for (let i = 0; i < v.n; i++) await fn();
    } else {
      for (let i = 0; i < v.n; i++) {
        const req = new http.IncomingMessage(socket);
        req.url = '/';
        req.method = 'GET';
        req.httpVersionMajor = 1;
        fn(req, new http.ServerResponse(req));
      }
    }
    return Number(process.hrtime.bigint() - t0) / v.n;
  };
  await loop();
  let best = Infinity;
  for (let i = 0; i < 3; i++) best = Math.min(best, await loop());
  return best;
}

/** Runs every variant `runs` times, each in a fresh process, alternating order; rows of median ns/request. */
async function run({ runs = 3 } = {}) {
  const results = VARIANTS.map(() => []);
  for (let r = 0; r < runs; r++) {
    const order = VARIANTS.map((_, i) => i);
    if (r % 2 === 1) order.reverse();
    for (const i of order) {
      const out = execFileSync(process.execPath, [__filename, '--variant', String(i)], { encoding: 'utf8', timeout: 60000 });
      results[i].push(Number(out.trim()));
    }
  }
  const ns = results.map((xs) => median(xs));
  return VARIANTS.map((v, i) => {
    const bare = ns[VARIANTS.findIndex((x) => x.group === v.group)];
    return { group: v.group, variant: v.label, 'ns/request': Math.round(ns[i]), 'added ns': Math.round(ns[i] - bare) };
  });
}

if (require.main === module) {
  const at = process.argv.indexOf('--variant');
  const job = at === -1 ? run().then((rows) => console.table(rows)) : measureVariant(Number(process.argv[at + 1])).then((ns) => process.stdout.write(`${ns}\n`));
  job.then(
    () => process.exit(0),
    (error) => {
      console.error(error);
      process.exit(1);
    },
  );
}

module.exports = { run };

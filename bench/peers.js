#!/usr/bin/env node
'use strict';
// Peer benchmark of shutdown behaviour (not a test; see docs/benchmarks.md "Shutdown under load"):
//  1. SIGTERM under keep-alive load, each library alone (no load balancer): time from SIGTERM to exit
//     beyond the longest in-flight request, and requests lost (reset or cut after being sent; a refused
//     new connection is counted apart: nothing was sent, a client or load balancer can retry it).
//  2. A rolling restart of 3 instances behind a real HAProxy under PEERS_CONNECTIONS (default 1000)
//     keep-alive connections: SIGTERM → exit → start, one at a time; failed and non-2xx member requests.
// Env: PEERS_ROUNDS (3), PEERS_CONNECTIONS (1000), PEERS_LIBS (comma list). Writes bench/results/peers.md.
require('../demo/register-ts');
const { spawn, spawnSync } = require('node:child_process');
const { writeFileSync, mkdirSync } = require('node:fs');
const os = require('node:os');
const path = require('node:path');
const { Pool } = require('undici');
const { startLoad, quantile } = require('../test/e2e/harness/load.ts');
const { startHaproxy, haproxyServers } = require('../test/fixtures/haproxy-fixture.ts');
const { freePort } = require('../test/helpers/ports.ts');
const { waitFor } = require('../test/helpers/wait.ts');

const LIBS = (process.env.PEERS_LIBS ?? 'zerodown,terminus,http-terminator,lightship,stoppable,plain').split(',');
const ROUNDS = Number(process.env.PEERS_ROUNDS ?? 3);
const CONNECTIONS = Number(process.env.PEERS_CONNECTIONS ?? 1000);
const SERVER = path.join(__dirname, 'shutdown/server.js');
const LONG_MS = 1000;

function startServer(lib, env = {}) {
  const child = spawn(process.execPath, [SERVER, lib], { env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
  let err = '';
  child.stderr.on('data', (d) => (err += d));
  const exited = new Promise((resolve) => child.once('exit', (code, signal) => resolve({ code, signal, at: performance.now() })));
  return new Promise((resolve, reject) => {
    let out = '';
    child.stdout.on('data', (d) => {
      out += d;
      const m = /\{"port":(\d+)\}/.exec(out);
      if (m) resolve({ child, port: Number(m[1]), exited });
    });
    exited.then((e) => reject(new Error(`${lib} exited ${e.code ?? e.signal} before listening: ${err}`)));
  });
}

const LOST = (e) => !/ECONNREFUSED/.test(`${e.code ?? ''} ${e.message}`);

/** One SIGTERM under load: returns { overheadMs, lost, refused, longOk, served }. */
async function sigtermOnce(lib) {
  const s = await startServer(lib);
  const pool = new Pool(`http://127.0.0.1:${s.port}`, { connections: 50, pipelining: 1, keepAliveTimeout: 30000 });
  let stopped = false;
  let lost = 0;
  let refused = 0;
  let served = 0;
  const kinds = new Map();
  const worker = async () => {
    for (let i = 0; !stopped && i < 100000; i++) {
      try {
        const r = await pool.request({ path: '/work?ms=5', method: 'GET' });
        await r.body.text();
        if (r.statusCode >= 200 && r.statusCode < 300) served++;
        else lost++;
      } catch (e) {
        if (LOST(e)) {
          lost++;
          const k = `${e.code ?? ''} ${e.message}`.trim();
          kinds.set(k, (kinds.get(k) ?? 0) + 1);
        } else {
          refused++;
          return; // the listener is closed: this client stops
        }
      }
    }
  };
  const workers = Array.from({ length: 40 }, worker);
  await new Promise((r) => setTimeout(r, 300));
  let longDone;
  let longOk = false;
  const long = pool
    .request({ path: `/work?ms=${LONG_MS}`, method: 'GET' })
    .then(async (r) => {
      await r.body.text();
      longOk = r.statusCode === 200;
    })
    .catch(() => {})
    .finally(() => (longDone = performance.now()));
  await new Promise((r) => setTimeout(r, 200));
  s.child.kill('SIGTERM');
  const exit = await Promise.race([s.exited, new Promise((r) => setTimeout(() => r(undefined), 40000))]);
  await long;
  stopped = true;
  if (!exit) s.child.kill('SIGKILL');
  await Promise.all(workers);
  await pool.destroy();
  return { kinds: [...kinds].map(([k, n]) => `${n}× ${k}`).join('; '), overheadMs: exit && longOk ? exit.at - longDone : NaN, lost, refused, longOk, served, exitCode: exit ? exit.code ?? exit.signal : 'hung' };
}

/** A rolling restart of 3 instances behind HAProxy under `connections` keep-alive connections. */
async function rollingOnce(lib, connections) {
  const ports = [await freePort(), await freePort(), await freePort()];
  const env = { BENCH_DRAIN_DELAY_MS: '1500' };
  const servers = [];
  for (const port of ports) servers.push(await startServer(lib, { ...env, PORT: String(port) }));
  const hp = await startHaproxy(ports.map((port, i) => ({ name: `s${i + 1}`, port })), { inter: 200, fall: 2, rise: 2, checkTimeout: 2000, retries: 0 });
  const status = async (name) => (await haproxyServers(hp.socketPath, 'app'))[name]?.status ?? '';
  try {
    for (let i = 0; i < 3; i++) await waitFor(async () => (await status(`s${i + 1}`)) === 'UP', 30000, `s${i + 1} UP`, 50);
    const load = startLoad({ url: hp.url, connections, paths: ['/work?ms=5', '/work?ms=50'], maxMs: 180000 });
    const t0 = performance.now();
    await new Promise((r) => setTimeout(r, 2000));
    for (let i = 0; i < 3; i++) {
      servers[i].child.kill('SIGTERM');
      await servers[i].exited;
      servers[i] = await startServer(lib, { ...env, PORT: String(ports[i]) });
      await waitFor(async () => (await status(`s${i + 1}`)) === 'UP', 60000, `s${i + 1} UP`, 50);
    }
    await new Promise((r) => setTimeout(r, 2000));
    const report = await load.stop();
    const kinds = new Map();
    for (const o of [...report.failed, ...report.non2xx]) {
      const k = o.status ? `${o.status} ${(o.body ?? '').replace(/\s+/g, ' ').slice(0, 60)}` : o.error;
      kinds.set(k, (kinds.get(k) ?? 0) + 1);
    }
    return { requests: report.total, failed: report.failed.length, non2xx: report.non2xx.length, seconds: (performance.now() - t0) / 1000, kinds: [...kinds].map(([k, n]) => `${n}× ${k}`).join('; ') };
  } finally {
    await hp.stop();
    for (const s of servers) s.child.kill('SIGKILL');
  }
}

const median = (xs) => quantile(xs.filter((x) => Number.isFinite(x)), 0.5);

async function main() {
  const machine = `${os.cpus().length} × ${os.cpus()[0]?.model ?? 'CPU'}, ${Math.round(os.totalmem() / 2 ** 30)} GiB, ${os.type()} ${os.release()}, Node ${process.version}, load average ${os.loadavg().map((l) => l.toFixed(1)).join(' ')} at start`;
  const haproxy = spawnSync('haproxy', ['-v'], { encoding: 'utf8' }).stdout?.split('\n')[0] ?? 'haproxy not found';
  const lines = [`Machine: ${machine}; ${haproxy}`, ''];
  lines.push(`### SIGTERM under keep-alive load (40 clients on 50 connections, one ${LONG_MS} ms request in flight; median of ${ROUNDS} rounds)`, '');
  lines.push('| library | exit after the longest in-flight request (ms) | lost requests (reset or cut after sending) | longest request completed | refused new connections (not sent) | exit |', '|---|---|---|---|---|---|');
  const kindsSeen = [];
  for (const lib of LIBS) {
    const runs = [];
    for (let r = 0; r < ROUNDS; r++) runs.push(await sigtermOnce(lib));
    const over = runs.some((x) => Number.isFinite(x.overheadMs)) ? median(runs.map((x) => x.overheadMs)).toFixed(0) : 'n/a (killed it)';
    const row = `| ${lib} | ${over} | ${runs.map((x) => x.lost).join(' / ')} | ${runs.filter((x) => x.longOk).length}/${ROUNDS} | ${runs.map((x) => x.refused).join(' / ')} | ${[...new Set(runs.map((x) => x.exitCode))].join(', ')} |`;
    process.stdout.write(`${row}\n`);
    lines.push(row);
    kindsSeen.push(`${lib}: ${runs.map((x) => x.kinds || 'none').join(' | ')}`);
  }
  lines.push('', 'Lost requests, by error (per round):', '', ...kindsSeen.map((k) => `- ${k}`));
  lines.push('', `### Rolling restart of 3 instances behind HAProxy, ${CONNECTIONS} keep-alive connections (one run each)`, '');
  lines.push('| library | requests | failed | non-2xx | seconds |', '|---|---|---|---|---|');
  const rollingKinds = [];
  for (const lib of LIBS) {
    const r = await rollingOnce(lib, CONNECTIONS);
    const row = `| ${lib} | ${r.requests} | ${r.failed} | ${r.non2xx} | ${r.seconds.toFixed(1)} |`;
    process.stdout.write(`${row}\n`);
    lines.push(row);
    rollingKinds.push(`${lib}: ${r.kinds || 'none'}`);
  }
  lines.push('', 'Failed and non-2xx requests, by answer:', '', ...rollingKinds.map((k) => `- ${k}`));
  mkdirSync(path.join(__dirname, 'results'), { recursive: true });
  writeFileSync(path.join(__dirname, 'results/peers.md'), `${lines.join('\n')}\n`);
  process.stdout.write(`\n${lines.join('\n')}\n\nwritten to bench/results/peers.md\n`);
}
main().catch((e) => {
  process.stderr.write(`${e.stack}\n`);
  process.exitCode = 1;
});

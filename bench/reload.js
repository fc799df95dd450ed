'use strict';
// Reload benchmark (part of `npm run bench`; alone: `node bench/reload.js`): the same app
// (bench/servers/reload-app.js) under the same keep-alive load during 3 reloads, for
//   - zerodown serve + zerodown reload (N = 2)
//   - PM2 cluster mode + pm2 reload (N = 2; wait_ready, kill_timeout 30 s)
//   - a plain restart of one process (SIGTERM: the app drains; then start it again)
// Reported: errors, non-2xx, p99 latency during the reloads; time to replace N = 2 and N = 4 workers;
// master RSS (zerodown's master vs PM2's daemon). Settings: BENCH_RELOAD_CONNECTIONS (default 100),
// BENCH_RELOAD_OUTPUT (default bench/results/reload.md).
const { spawn } = require('node:child_process');
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');
const { Agent, request } = require('undici');

const ROOT = path.resolve(__dirname, '..');
const APP = path.join(__dirname, 'servers/reload-app.js');
const CLI = path.join(ROOT, 'packages/cli/dist/bin.js');
const PM2 = path.join(ROOT, 'node_modules/pm2/bin/pm2');
const CONNECTIONS = Number(process.env.BENCH_RELOAD_CONNECTIONS ?? 100);
const OUTPUT = process.env.BENCH_RELOAD_OUTPUT ?? path.join(__dirname, 'results/reload.md');
const log = (m) => process.stderr.write(`bench reload: ${m}\n`);
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

async function freePort() {
  const net = require('node:net');
  return new Promise((resolve) => {
    const s = net.createServer().listen(0, '127.0.0.1', () => {
      const { port } = s.address();
      s.close(() => resolve(port));
    });
  });
}

async function waitOk(port, timeoutMs = 60000) {
  const end = Date.now() + timeoutMs;
  for (;;) {
    try {
      const r = await request(`http://127.0.0.1:${port}/`);
      await r.body.text();
      if (r.statusCode === 200) return;
    } catch {}
    if (Date.now() > end) throw new Error(`nothing answered on ${port}`);
    await sleep(100);
  }
}

/** Keep-alive load: one connection per loop; latencies of every request; bounded by `maxMs`. */
function startLoad(port, maxMs) {
  const stats = { ok: 0, non2xx: 0, errors: 0, timeouts: 0, lat: [] };
  let stopped = false;
  const end = Date.now() + maxMs;
  // a request with no answer in 10 s counts as a timeout (a connection lost between master and worker)
  const agents = Array.from({ length: CONNECTIONS }, () => new Agent({ connections: 1, keepAliveTimeout: 30000, headersTimeout: 10000, bodyTimeout: 10000 }));
  const loops = agents.map(async (a) => {
    while (!stopped && Date.now() < end) {
      const t0 = performance.now();
      try {
        const r = await request(`http://127.0.0.1:${port}/`, { dispatcher: a });
        await r.body.text();
        if (r.statusCode === 200) stats.ok++;
        else stats.non2xx++;
      } catch (error) {
        if (error && (error.code === 'UND_ERR_HEADERS_TIMEOUT' || error.code === 'UND_ERR_BODY_TIMEOUT')) stats.timeouts++;
        else stats.errors++;
        await sleep(5);
      }
      stats.lat.push(performance.now() - t0);
      await sleep(2);
    }
  });
  return {
    stats,
    async stop() {
      stopped = true;
      await Promise.all(loops);
      await Promise.all(agents.map((a) => a.close()));
      const sorted = stats.lat.sort((x, y) => x - y);
      return { ok: stats.ok, non2xx: stats.non2xx, errors: stats.errors, timeouts: stats.timeouts, p99: sorted.length ? sorted[Math.floor(sorted.length * 0.99)] : NaN };
    },
  };
}

function rssKiB(pid) {
  try {
    return Number(/VmRSS:\s+(\d+)/.exec(fs.readFileSync(`/proc/${pid}/status`, 'utf8'))[1]);
  } catch {
    return NaN;
  }
}

function run(cmd, args, env) {
  return new Promise((resolve) => {
    const t0 = performance.now();
    const c = spawn(cmd, args, { env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    c.stdout.on('data', (d) => (out += d));
    c.stderr.on('data', (d) => (out += d));
    c.on('exit', (code) => resolve({ code, ms: performance.now() - t0, out }));
  });
}

async function zerodownServe(workers, reloads, withLoad) {
  const port = await freePort();
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'zd-bench-'));
  const socket = path.join(dir, 'master.sock');
  const master = spawn(process.execPath, [CLI, 'serve', APP, '--workers', String(workers), '--port', String(port), '--socket', socket, '--drain-delay', '0', '--min-uptime', '500ms'], { stdio: ['ignore', 'ignore', 'pipe'], cwd: ROOT });
  master.stderr.resume();
  try {
    await waitOk(port);
    while (!fs.existsSync(socket)) await sleep(50);
    await sleep(500);
    const rss = rssKiB(master.pid);
    const load = withLoad ? startLoad(port, 600000) : undefined;
    const times = [];
    for (let i = 0; i < reloads; i++) {
      const r = await run(process.execPath, [CLI, 'reload', '--socket', socket, '--json']);
      if (r.code !== 0) throw new Error(`zerodown reload failed: ${r.out}`);
      times.push(JSON.parse(r.out.slice(r.out.indexOf('{'))).durationMs);
    }
    const stats = load ? await load.stop() : undefined;
    return { stats, times, rss };
  } finally {
    master.kill('SIGTERM');
    await new Promise((r) => master.once('exit', r));
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

async function pm2Cluster(workers, reloads, withLoad) {
  const port = await freePort();
  const home = fs.mkdtempSync(path.join(os.tmpdir(), 'pm2-bench-'));
  const env = { PM2_HOME: home, PORT: String(port) };
  try {
    const s = await run(process.execPath, [PM2, 'start', APP, '-i', String(workers), '--name', 'bench', '--wait-ready', '--listen-timeout', '30000', '--kill-timeout', '30000'], env);
    if (s.code !== 0) throw new Error(`pm2 start failed: ${s.out}`);
    await waitOk(port);
    const pid = Number(fs.readFileSync(path.join(home, 'pm2.pid'), 'utf8'));
    const rss = rssKiB(pid);
    const load = withLoad ? startLoad(port, 600000) : undefined;
    const times = [];
    for (let i = 0; i < reloads; i++) {
      const r = await run(process.execPath, [PM2, 'reload', 'bench'], env);
      if (r.code !== 0) throw new Error(`pm2 reload failed: ${r.out}`);
      times.push(Math.round(r.ms));
    }
    const stats = load ? await load.stop() : undefined;
    return { stats, times, rss };
  } finally {
    await run(process.execPath, [PM2, 'kill'], env);
    fs.rmSync(home, { recursive: true, force: true });
  }
}

async function plainRestart(reloads) {
  const port = await freePort();
  const start = () => spawn(process.execPath, [APP], { env: { ...process.env, PORT: String(port), ZERODOWN_CONTROL_SOCKET: 'off' }, stdio: 'ignore' });
  let app = start();
  await waitOk(port);
  const load = startLoad(port, 600000);
  const times = [];
  try {
    for (let i = 0; i < reloads; i++) {
      const t0 = performance.now();
      app.kill('SIGTERM');
      await new Promise((r) => app.once('exit', r));
      app = start();
      await waitOk(port);
      times.push(Math.round(performance.now() - t0));
      await sleep(1000);
    }
  } finally {
    const stats = await load.stop();
    app.kill('SIGTERM');
    await new Promise((r) => app.once('exit', r));
    // eslint-disable-next-line no-unsafe-finally
    return { stats, times, rss: NaN };
  }
}

const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const fmt = (n) => (Number.isFinite(n) ? String(Math.round(n)) : 'n/a');

/** Runs the reload benchmark; returns its markdown section. */
async function runBench() {
  if (!fs.existsSync(PM2)) return '## Reload (bench/reload.js)\n\n_Skipped: pm2 is not installed (npm install)._\n';
  const load1 = os.loadavg().map((x) => x.toFixed(1)).join(' / ');
  log('zerodown serve, N = 2, 3 reloads under load');
  const zd2 = await zerodownServe(2, 3, true);
  log('pm2 cluster, N = 2, 3 reloads under load');
  const pm2 = await pm2Cluster(2, 3, true);
  log('plain restart, 3 restarts under load');
  const plain = await plainRestart(3);
  log('time to replace N = 4 (no load)');
  const zd4 = await zerodownServe(4, 1, false);
  const pm4 = await pm2Cluster(4, 1, false);
  const row = (label, r) => `| ${label} | ${r.stats.ok} | ${r.stats.errors} | ${r.stats.timeouts} | ${r.stats.non2xx} | ${fmt(r.stats.p99)} |`;
  const md = [
    '## Reload (bench/reload.js)',
    '',
    `The same node:http app with zerodown (bench/servers/reload-app.js), ${CONNECTIONS} keep-alive connections (undici, one per loop, 2 ms pause), 3 reloads in a row.`,
    '',
    '| during 3 reloads | 2xx | errors | timeouts (10 s) | non-2xx | p99 ms |',
    '| --- | --- | --- | --- | --- | --- |',
    row('zerodown serve + zerodown reload (N = 2)', zd2),
    row('PM2 cluster + pm2 reload (N = 2)', pm2),
    row('plain restart (1 process)', plain),
    '',
    '| time to replace (median ms) | N = 2, under the load above | N = 4, no load |',
    '| --- | --- | --- |',
    `| zerodown reload | ${fmt(median(zd2.times))} | ${fmt(median(zd4.times))} |`,
    `| pm2 reload | ${fmt(median(pm2.times))} | ${fmt(median(pm4.times))} |`,
    `| plain restart (1 process, down meanwhile) | ${fmt(median(plain.times))} | |`,
    '',
    `Ratio zerodown / PM2 time to replace: N = 2 ${(median(zd2.times) / median(pm2.times)).toFixed(2)}, N = 4 ${(median(zd4.times) / median(pm4.times)).toFixed(2)}. zerodown waits for each new worker to report readiness and stay up 500 ms (--min-uptime) before it drains an old one; PM2 waits for process.send('ready') (wait_ready).`,
    '',
    `Master RSS: zerodown serve master ${fmt(zd2.rss / 1024)} MiB (N = 2), ${fmt(zd4.rss / 1024)} MiB (N = 4); PM2 daemon (God) ${fmt(pm2.rss / 1024)} MiB (N = 2), ${fmt(pm4.rss / 1024)} MiB (N = 4).`,
    '',
    `Machine: Node ${process.version}, ${os.cpus().length} cores, load average before ${load1}, after ${os.loadavg().map((x) => x.toFixed(1)).join(' / ')}; ${new Date().toISOString()}.`,
    '',
  ].join('\n');
  fs.mkdirSync(path.dirname(OUTPUT), { recursive: true });
  fs.writeFileSync(OUTPUT, md);
  log(`written to ${path.relative(process.cwd(), OUTPUT)}`);
  return md;
}

module.exports = { run: runBench };

if (require.main === module) {
  runBench().then(
    (md) => process.stdout.write(md + '\n'),
    (error) => {
      process.stderr.write(`bench reload: ${error.stack ?? error}\n`);
      process.exitCode = 1;
    },
  );
}

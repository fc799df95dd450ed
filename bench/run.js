'use strict';
// `npm run bench`: requests/s and p99 of a hello route, bare vs with zerodown (Express 5, Fastify 5,
// node:http) and Express + @godaddy/terminus as a peer; then probe throughput on /readyz. Every
// measurement runs on a fresh server child process (one at a time); autocannon, the load generator,
// runs in this process.
// Settings: BENCH_DURATION, BENCH_ROUNDS, BENCH_CONNECTIONS, BENCH_PIPELINING, BENCH_WARMUP,
// BENCH_PROBE_DURATION, BENCH_TARGETS, BENCH_REQUEST_PATH, BENCH_BREAKERS, BENCH_INSTRUCTIONS, BENCH_OUTPUT (see bench/README.md).
// Last, the instruction counts under valgrind (bench/instructions.js), the measure the per-request claims rest on.

const fs = require('node:fs');
const path = require('node:path');
const { loadConfig } = require('./lib/config');
const { selectGroups, roundOrder } = require('./lib/targets');
const { startServer } = require('./lib/server-process');
const { pinSelf } = require('./lib/pinning');
const { runLoad } = require('./lib/load');
const { summarise } = require('./lib/stats');
const { machineInfo } = require('./lib/machine');
const report = require('./lib/report');

const log = (msg) => process.stderr.write(`bench: ${msg}\n`);

/** GETs `url` until it answers `status` (the check's first run may still be pending); throws after ~3 s. */
async function expectStatus(url, status, body) {
  let last = '';
  for (let i = 0; i < 30; i++) {
    try {
      const res = await fetch(url);
      const text = await res.text();
      if (res.status === status && (body === undefined || text === body)) return;
      last = `${res.status} ${JSON.stringify(text.slice(0, 80))}`;
    } catch (error) {
      last = String(error);
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`bench: ${url} answered ${last}, expected ${status}${body === undefined ? '' : ` ${JSON.stringify(body)}`}`);
}

/** Runs bench/breakers.js when it exists; returns a markdown section either way. */
async function breakersSection() {
  const file = path.join(__dirname, 'breakers.js');
  if (!fs.existsSync(file)) return '## Breakers\n\n_Skipped: bench/breakers.js is not present._\n';
  log('running bench/breakers.js');
  try {
    const rows = await require(file).run();
    return `## Breakers (bench/breakers.js)\n\n${report.rowsTable(rows)}\n`;
  } catch (error) {
    return `## Breakers (bench/breakers.js)\n\n_Failed: ${String(error && error.message ? error.message : error)}_\n`;
  }
}

/** The in-process request-path costs (bench/request-path.js) as a markdown section. */
async function requestPathSection() {
  log('measuring the request path in-process (bench/request-path.js)');
  const rows = await require('./request-path').run();
  return `### Request-path cost, in-process (bench/request-path.js)\n\nReal server / Express / Fastify objects, no network, a handler that does nothing: what zerodown itself adds per request. Each variant runs in its own process, 3 times alternating; median of each process's best loop. Differences of a few % of the bare row are within this measurement's noise.\n\n${report.rowsTable(rows)}\n`;
}

/**
 * The deterministic measure (bench/instructions.js, valgrind's callgrind): its report goes to
 * bench/results/instructions.md and is appended here; says so loudly when valgrind is missing.
 */
async function instructionsSection() {
  log('counting instructions under valgrind (bench/instructions.js; BENCH_INSTRUCTIONS=0 skips it): several minutes per target');
  const { md, missing } = await require('./instructions').run();
  if (missing) log('instruction counts NOT measured: valgrind is missing (see the report)');
  return md.replace(/^# /, '## ');
}

/** Runs the whole benchmark; returns the markdown report. */
async function main() {
  const cfg = loadConfig();
  const groups = selectGroups(cfg.groups);
  const targets = groups.flatMap((g) => [g.bare, g.zerodown, g.peer].filter(Boolean));
  const startedAt = new Date();
  const machineBefore = machineInfo();
  const pinLine = pinSelf();
  log(pinLine);
  const probeTargets = groups.some((g) => g.id === 'express') && cfg.probeDurationS > 0 ? ['express-zerodown', 'express-terminus'] : [];
  const estimateS = (targets.length * cfg.rounds + probeTargets.length) * cfg.warmupS + targets.length * cfg.rounds * cfg.durationS + probeTargets.length * cfg.probeDurationS;
  log(`${targets.length} targets, ${cfg.rounds} rounds × ${cfg.durationS} s, ${cfg.connections} connections, pipelining ${cfg.pipelining}, warm-up ${cfg.warmupS} s; about ${estimateS} s of load`);

  const running = new Set();
  const stopAll = () => Promise.all([...running].map((s) => s.stop()));
  const onSignal = () => stopAll().finally(() => process.exit(130));
  process.once('SIGINT', onSignal);
  process.once('SIGTERM', onSignal);
  /** Starts a fresh server process for `t`, checks it answers, warms it up on `urlPath`, runs `fn`, stops it. */
  const withServer = async (t, urlPath, fn) => {
    const server = await startServer(t.file);
    running.add(server);
    try {
      const base = `http://127.0.0.1:${server.port}`;
      await expectStatus(`${base}/`, 200, 'hello world\n');
      if (!t.id.endsWith('-bare')) await expectStatus(`${base}/readyz`, 200);
      const load = (durationS) => runLoad({ url: `${base}${urlPath}`, durationS, connections: cfg.connections, pipelining: cfg.pipelining, server });
      if (cfg.warmupS > 0) await load(cfg.warmupS);
      return await fn(load);
    } finally {
      await server.stop();
      running.delete(server);
    }
  };
  let sections;
  try {
    const runs = Object.fromEntries(targets.map((t) => [t.id, []]));
    for (let round = 0; round < cfg.rounds; round++) {
      for (const g of groups) {
        for (const t of roundOrder(g, round)) {
          const r = await withServer(t, '/', (load) => load(cfg.durationS));
          runs[t.id].push(r);
          log(`round ${round + 1}/${cfg.rounds} ${t.label}: ${Math.round(r.rps)} req/s, p99 ${r.p99} ms, ${r.cpuUsPerReq?.toFixed(1)} µs CPU/req${r.errors + r.non2xx + r.timeouts ? `, ${r.errors} errors ${r.non2xx} non-2xx ${r.timeouts} timeouts` : ''}`);
        }
      }
    }
    const summary = Object.fromEntries(targets.map((t) => [t.id, summarise(runs[t.id])]));

    const probes = [];
    for (const id of probeTargets) {
      const t = targets.find((x) => x.id === id);
      const r = await withServer(t, '/readyz', (load) => load(cfg.probeDurationS));
      probes.push({ label: `${t.label}: GET /readyz`, ...r });
      log(`probe ${t.label}: ${Math.round(r.rps)} req/s on /readyz, check ran ${r.checkRuns} times`);
    }
    const machineAfter = machineInfo();

    sections = [
      `# zerodown benchmark (issue 2)\n`,
      `Hello route, ${cfg.connections} connections, pipelining ${cfg.pipelining}; ${cfg.rounds} rounds × ${cfg.durationS} s per target after a ${cfg.warmupS} s warm-up, each run on a fresh server process, rounds alternating bare / with zerodown; the median round is reported.\n`,
      report.resultsTable(groups, summary),
      '',
      `Ratios are medians of per-round ratios (each round measures a group's targets back to back). "vs bare by CPU" compares the server process's CPU time per request (bare cost / this cost), which other load on the machine disturbs far less than req/s. A result is marked noisy when a round spread exceeds ±${report.pct(report.NOISY)}.\n`,
      `### Issue 2 targets\n\n${report.targetsSummary(groups, summary) || '- none selected'}\n`,
      `### Rounds (req/s, server CPU µs per request)\n\n${report.roundsTable(groups, summary, cfg.rounds)}\n`,
      probes.length
        ? `### Probes answer from cache\n\n${report.probeTable(probes)}\n\nzerodown's custom check runs on its interval (5 s) whatever the probe rate; terminus runs its check on every probe.\n`
        : '',
      `### Machine\n\n- Node ${machineBefore.node}, ${machineBefore.os}\n- CPU: ${machineBefore.cpu} × ${machineBefore.cores} cores, ${machineBefore.memGiB} GiB RAM\n- Date: ${startedAt.toISOString()}\n- Load average (1/5/15 min) before: ${machineBefore.loadavg}; after: ${machineAfter.loadavg}\n- Processes: the load generator (autocannon) runs in the runner process; each measurement starts a fresh server child process (one at a time, since the same server can differ by up to ~25% in CPU per request from one process to the next), so with ${machineBefore.cores} cores the generator and the server each get roughly one core; anything else running on the machine (other test suites) competes with both and adds noise (see the round spread).\n- ${pinLine}\n`,
    ];
  } finally {
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
    await stopAll();
  }
  if (cfg.requestPath) sections.splice(sections.length - 1, 0, await requestPathSection());
  if (cfg.breakers) sections.push(await breakersSection());
  // reloads: zerodown serve vs pm2 reload vs a plain restart (bench/reload.js; BENCH_RELOAD=0 skips it)
  if (process.env.BENCH_RELOAD !== '0') sections.push(await require('./reload').run());
  if (cfg.instructions) sections.push(await instructionsSection());
  const md = sections.filter(Boolean).join('\n');
  fs.mkdirSync(path.dirname(cfg.output), { recursive: true });
  fs.writeFileSync(cfg.output, md);
  process.stdout.write(`${md}\n`);
  log(`written to ${path.relative(process.cwd(), cfg.output)}`);
  return md;
}

if (require.main === module) {
  main().catch((error) => {
    process.stderr.write(`${error && error.stack ? error.stack : error}\n`);
    process.exitCode = 1;
  });
}

module.exports = { main };

'use strict';
// `npm run bench`: requests/s and p99 of a hello route, bare vs with zerodown (Express 5, Fastify 5,
// node:http) and Express + @godaddy/terminus as a peer; then probe throughput on /readyz. Each server
// runs in its own child process; autocannon (the load generator) runs in this process.
// Settings: BENCH_DURATION, BENCH_ROUNDS, BENCH_CONNECTIONS, BENCH_PIPELINING, BENCH_WARMUP,
// BENCH_PROBE_DURATION, BENCH_TARGETS, BENCH_BREAKERS, BENCH_OUTPUT (see bench/README.md).

const fs = require('node:fs');
const path = require('node:path');
const { loadConfig } = require('./lib/config');
const { selectGroups, roundOrder } = require('./lib/targets');
const { startServer } = require('./lib/server-process');
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

/** Runs the whole benchmark; returns the markdown report. */
async function main() {
  const cfg = loadConfig();
  const groups = selectGroups(cfg.groups);
  const targets = groups.flatMap((g) => [g.bare, g.zerodown, g.peer].filter(Boolean));
  const startedAt = new Date();
  const machineBefore = machineInfo();
  const probeTargets = groups.some((g) => g.id === 'express') && cfg.probeDurationS > 0 ? ['express-zerodown', 'express-terminus'] : [];
  const estimateS = targets.length * (cfg.warmupS + cfg.rounds * cfg.durationS) + probeTargets.length * cfg.probeDurationS;
  log(`${targets.length} targets, ${cfg.rounds} rounds × ${cfg.durationS} s, ${cfg.connections} connections, pipelining ${cfg.pipelining}, warm-up ${cfg.warmupS} s; about ${estimateS} s of load`);

  const servers = {};
  const stopAll = () => Promise.all(Object.values(servers).map((s) => s.stop()));
  const onSignal = () => stopAll().finally(() => process.exit(130));
  process.once('SIGINT', onSignal);
  process.once('SIGTERM', onSignal);
  let sections;
  try {
    for (const t of targets) {
      servers[t.id] = await startServer(t.file);
      const base = `http://127.0.0.1:${servers[t.id].port}`;
      await expectStatus(`${base}/`, 200, 'hello world\n');
      if (t.id.endsWith('-bare')) continue;
      await expectStatus(`${base}/readyz`, 200);
    }
    const load = (t, durationS, urlPath = '/') =>
      runLoad({ url: `http://127.0.0.1:${servers[t.id].port}${urlPath}`, durationS, connections: cfg.connections, pipelining: cfg.pipelining });

    if (cfg.warmupS > 0) {
      for (const t of targets) {
        log(`warm-up ${t.label}`);
        await load(t, cfg.warmupS);
      }
    }
    const runs = Object.fromEntries(targets.map((t) => [t.id, []]));
    for (let round = 0; round < cfg.rounds; round++) {
      for (const g of groups) {
        for (const t of roundOrder(g, round)) {
          const r = await load(t, cfg.durationS);
          runs[t.id].push(r);
          log(`round ${round + 1}/${cfg.rounds} ${t.label}: ${Math.round(r.rps)} req/s, p99 ${r.p99} ms${r.errors + r.non2xx + r.timeouts ? `, ${r.errors} errors ${r.non2xx} non-2xx ${r.timeouts} timeouts` : ''}`);
        }
      }
    }
    const summary = Object.fromEntries(targets.map((t) => [t.id, summarise(runs[t.id])]));

    const probes = [];
    for (const id of probeTargets) {
      const t = targets.find((x) => x.id === id);
      const before = await servers[id].stats();
      const r = await load(t, cfg.probeDurationS, '/readyz');
      const after = await servers[id].stats();
      probes.push({ label: `${t.label}: GET /readyz`, ...r, checkRuns: before && after ? after.checkRuns - before.checkRuns : undefined });
      log(`probe ${t.label}: ${Math.round(r.rps)} req/s on /readyz`);
    }
    await stopAll();
    const machineAfter = machineInfo();

    const verdicts = groups.flatMap((g) => report.verdicts(g, summary));
    sections = [
      `# zerodown benchmark (issue 2)\n`,
      `Hello route, ${cfg.connections} connections, pipelining ${cfg.pipelining}; ${cfg.rounds} rounds × ${cfg.durationS} s per target after a ${cfg.warmupS} s warm-up, rounds alternating bare / with zerodown; the median round is reported.\n`,
      report.resultsTable(groups, summary),
      '',
      verdicts.length ? `**Targets:** ${verdicts.map((v) => `${v.text}: ${report.pct(v.ratio)} → ${v.met ? 'met' : 'NOT MET'}`).join('; ')}.\n` : '',
      `### Rounds (req/s)\n\n${report.roundsTable(groups, summary, cfg.rounds)}\n`,
      probes.length
        ? `### Probes answer from cache\n\n${report.probeTable(probes)}\n\nzerodown's custom check runs on its interval (5 s) whatever the probe rate; terminus runs its check on every probe.\n`
        : '',
      `### Machine\n\n- Node ${machineBefore.node}, ${machineBefore.os}\n- CPU: ${machineBefore.cpu} × ${machineBefore.cores} cores, ${machineBefore.memGiB} GiB RAM\n- Date: ${startedAt.toISOString()}\n- Load average (1/5/15 min) before: ${machineBefore.loadavg}; after: ${machineAfter.loadavg}\n- Processes: the load generator (autocannon) runs in the runner process and each server in its own child process, so with ${machineBefore.cores} cores each gets roughly one core; anything else running on the machine (other test suites) competes with both and adds noise (see the round spread).\n`,
    ];
  } finally {
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
    await stopAll();
  }
  if (cfg.breakers) sections.push(await breakersSection());
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

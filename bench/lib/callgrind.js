'use strict';
// Instruction counts of a server process under valgrind's callgrind (`node --predictable`: no
// concurrent compilation or GC threads), which repeat to ~0.02% from run to run where wall-clock
// measures swing ±5–25%. A server file prints `{"port":N}` on its first stdout line (bench/servers/).

const { spawn, spawnSync } = require('node:child_process');
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');
const readline = require('node:readline');
const autocannon = require('autocannon');

const START_TIMEOUT_MS = 300_000;
const EXIT_TIMEOUT_MS = 300_000;

/** valgrind's version line, or undefined when valgrind is not installed. */
function valgrindVersion() {
  const r = spawnSync('valgrind', ['--version'], { encoding: 'utf8' });
  return r.status === 0 ? r.stdout.trim() : undefined;
}

/** The message printed when valgrind is missing (the measure needs it; nothing else does). */
const MISSING =
  'valgrind is not installed: the instruction-count measure needs it (Debian/Ubuntu: `sudo apt-get install valgrind`; macOS: not supported, use a Linux container).';

/** Reads the total instruction count (`totals:` or `summary:` line) of a callgrind output file. */
function readTotal(file) {
  const text = fs.readFileSync(file, 'utf8');
  const m = /^totals:\s+(\d+)/m.exec(text) || /^summary:\s+(\d+)/m.exec(text);
  if (!m) throw new Error(`bench: no totals/summary line in ${file}`);
  return Number(m[1]);
}

/**
 * Starts `file` under callgrind; resolves with { port, stop() } once it printed its port. `stop()`
 * sends SIGINT and resolves with the total instruction count once valgrind wrote its output.
 * `keep`: a path to copy the callgrind output file to (for callgrind_annotate).
 *
 * Each run gets its own empty `XDG_RUNTIME_DIR` (unless `env` sets one), where zerodown's default
 * control socket goes: SIGINT kills a server without signal handlers before it removes its socket,
 * and the next run would otherwise prune that stale socket (and any other process's on the machine)
 * at startup: one-time work of a varying amount, part of it late enough to land in a measured window.
 */
function startUnderCallgrind(file, { env = {}, keep, valgrindArgs = [] } = {}) {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'zd-callgrind-'));
  const out = path.join(dir, 'callgrind.out');
  const runtimeDir = path.join(dir, 'run');
  fs.mkdirSync(runtimeDir, { mode: 0o700 });
  // INSTR_NODE_FLAGS: more node/V8 flags after --predictable (experiments, e.g. --predictable-gc-schedule)
  const nodeFlags = (process.env.INSTR_NODE_FLAGS || '').split(' ').filter(Boolean);
  const args = ['--tool=callgrind', '--smc-check=all', `--callgrind-out-file=${out}`, ...valgrindArgs, process.execPath, '--predictable', ...nodeFlags, file];
  const child = spawn('valgrind', args, { stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, XDG_RUNTIME_DIR: runtimeDir, ...env } });
  let stderr = '';
  child.stderr.on('data', (d) => {
    stderr = (stderr + d).slice(-4000);
  });
  const exited = new Promise((resolve) => child.once('exit', (code, signal) => resolve({ code, signal })));
  const cleanup = () => fs.rmSync(dir, { recursive: true, force: true });
  let started = false;
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`bench: ${file} under valgrind printed no port within ${START_TIMEOUT_MS / 1000} s`));
    }, START_TIMEOUT_MS);
    const lines = readline.createInterface({ input: child.stdout });
    lines.once('line', (line) => {
      clearTimeout(timer);
      started = true;
      let port;
      try {
        ({ port } = JSON.parse(line));
      } catch {
        child.kill('SIGKILL');
        return reject(new Error(`bench: ${file} printed ${JSON.stringify(line)} instead of {"port":N}`));
      }
      resolve({
        port,
        pid: child.pid,
        async stop() {
          const kill = setTimeout(() => child.kill('SIGKILL'), EXIT_TIMEOUT_MS);
          child.kill('SIGINT');
          await exited;
          clearTimeout(kill);
          try {
            if (keep) fs.copyFileSync(out, keep);
            return readTotal(out);
          } catch (error) {
            throw new Error(`${error.message}\nvalgrind stderr: ${stderr}`);
          } finally {
            cleanup();
          }
        },
      });
    });
    exited.then(({ code, signal }) => {
      if (started) return; // stop() reads the output
      clearTimeout(timer);
      cleanup();
      reject(new Error(`bench: ${file} under valgrind exited (code ${code}, signal ${signal}) before printing its port\n${stderr}`));
    });
  });
}

/** Sends exactly `amount` GET requests with `connections` keep-alive connections; throws unless all answered 2xx. */
async function sendRequests(url, amount, connections = 10) {
  const r = await autocannon({ url, connections, amount, timeout: 120 });
  const ok = r['2xx'];
  if (ok !== amount || r.errors || r.timeouts || r.non2xx) {
    throw new Error(`bench: ${url}: ${ok} of ${amount} requests answered 2xx (${r.errors} errors, ${r.timeouts} timeouts, ${r.non2xx} non-2xx)`);
  }
}

/**
 * Total instructions of one run of `file` serving `warmup` then `amount` requests on `urlPath`
 * (startup and exit included).
 */
async function countRun(file, amount, options = {}) {
  // a request error (a connection reset, seen once in ~100 runs with the machine at load 11) costs
  // instructions of its own (reconnects, error paths), so such a run is discarded and done again, once
  try {
    return await countRunOnce(file, amount, options);
  } catch (error) {
    if (!/requests answered 2xx/.test(error.message)) throw error;
    process.stderr.write(`callgrind: ${error.message}; measuring this run again\n`);
    return countRunOnce(file, amount, options);
  }
}

async function countRunOnce(file, amount, { env, keep, urlPath = '/', connections = 10, warmup = 0, sameConnections = false } = {}) {
  const server = await startUnderCallgrind(file, { env, keep });
  try {
    const url = `http://127.0.0.1:${server.port}${urlPath}`;
    // sameConnections: warm-up and counted requests in one run of the client, on the same connections.
    // A new set of connections deoptimizes node:http/streams code ('wrong map' in onParserExecuteCommon,
    // ReadableState) and TurboFan recompiles ~10 functions over the next ~1,000 requests: a window that
    // starts on new connections holds that recompilation (~85–117k instructions per request at 200 vs 700).
    if (sameConnections) await sendRequests(url, warmup + amount, connections);
    else {
      if (warmup > 0) await sendRequests(url, warmup, connections);
      await sendRequests(url, amount, connections);
    }
  } catch (error) {
    await server.stop().catch(() => {});
    throw error;
  }
  return server.stop();
}

/**
 * Marginal instructions per request: (total at `high` − total at `low`) / (high − low); startup, exit
 * and anything else that does not grow with the request count cancel out. `warmup` requests are served
 * first in both runs, so one-time work that happens early but not at a fixed request (the process's
 * first major GC, JIT tiering) falls out of the difference too.
 */
async function marginalPerRequest(file, { low = 500, high = 2500, warmup = 0, sameConnections = false, env, keepPrefix } = {}) {
  const totalLow = await countRun(file, low, { env, warmup, sameConnections, keep: keepPrefix && `${keepPrefix}.${low}` });
  const totalHigh = await countRun(file, high, { env, warmup, sameConnections, keep: keepPrefix && `${keepPrefix}.${high}` });
  return { perRequest: (totalHigh - totalLow) / (high - low), totalLow, totalHigh, low, high, warmup, sameConnections };
}

/**
 * Background instructions per second of an idle server: a run idle for `shortS` after it printed its
 * port and one idle for `shortS + spanS`; (long − short) / spanS (the wall time between SIGINTs is measured).
 */
async function idlePerSecond(file, { shortS = 1, spanS = 20, env, keepPrefix } = {}) {
  const run = async (idleS) => {
    const server = await startUnderCallgrind(file, { env, keep: keepPrefix && `${keepPrefix}.${idleS}s` });
    const t0 = performance.now();
    await new Promise((r) => setTimeout(r, idleS * 1000));
    const elapsedS = (performance.now() - t0) / 1000;
    return { total: await server.stop(), elapsedS };
  };
  const short = await run(shortS);
  const long = await run(shortS + spanS);
  return { perSecond: (long.total - short.total) / (long.elapsedS - short.elapsedS), short, long };
}

module.exports = { valgrindVersion, MISSING, readTotal, startUnderCallgrind, sendRequests, countRun, marginalPerRequest, idlePerSecond };

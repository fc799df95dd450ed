'use strict';
// One benchmark target in its own child process: start, read its port, ask for stats, stop.

const { spawn } = require('node:child_process');
const readline = require('node:readline');

const START_TIMEOUT_MS = 15000;
const STOP_GRACE_MS = 2000;

const { pinning } = require('./pinning');

/** Starts `file` with node (pinned to the server CPU when `taskset` is available); resolves with a handle once it printed its port. */
function startServer(file) {
  const pin = pinning();
  const [cmd, args] = pin ? ['taskset', ['-c', pin.server, process.execPath, file]] : [process.execPath, [file]];
  const child = spawn(cmd, args, { stdio: ['ignore', 'pipe', 'inherit', 'ipc'] });
  const exited = new Promise((resolve) => child.once('exit', (code, signal) => resolve({ code, signal })));
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`bench: ${file} printed no port within ${START_TIMEOUT_MS} ms`));
    }, START_TIMEOUT_MS);
    const lines = readline.createInterface({ input: child.stdout });
    lines.once('line', (line) => {
      clearTimeout(timer);
      let port;
      try {
        ({ port } = JSON.parse(line));
      } catch {
        child.kill('SIGKILL');
        return reject(new Error(`bench: ${file} printed ${JSON.stringify(line)} instead of {"port":N}`));
      }
      lines.on('line', (l) => process.stderr.write(`[${file}] ${l}\n`));
      resolve(handle(child, port, exited));
    });
    exited.then(({ code, signal }) => {
      clearTimeout(timer);
      reject(new Error(`bench: ${file} exited (code ${code}, signal ${signal}) before printing its port`));
    });
  });
}

function handle(child, port, exited) {
  return {
    port,
    pid: child.pid,
    /** Asks the server for its counters ({ checkRuns, cpu: { user, system } }); resolves undefined if it does not answer. */
    stats() {
      if (!child.connected) return Promise.resolve(undefined);
      return new Promise((resolve) => {
        const t = setTimeout(() => done(undefined), 2000);
        const onMsg = (m) => m && m.type === 'stats' && done(m);
        function done(v) {
          clearTimeout(t);
          child.off('message', onMsg);
          resolve(v);
        }
        child.on('message', onMsg);
        child.send({ type: 'stats' });
      });
    },
    /** SIGTERM, then SIGKILL after a grace period; resolves once the process exited. */
    async stop() {
      if (child.exitCode !== null || child.signalCode !== null) return;
      child.kill('SIGTERM');
      const t = setTimeout(() => child.kill('SIGKILL'), STOP_GRACE_MS);
      await exited;
      clearTimeout(t);
    },
  };
}

module.exports = { startServer };

'use strict';
// Machine facts recorded with the results.

const os = require('node:os');

/** Node version, CPU model and count, memory, OS, and the load average now. */
function machineInfo() {
  const cpus = os.cpus();
  return {
    node: process.version,
    cpu: cpus[0] ? cpus[0].model.trim() : 'unknown',
    cores: cpus.length,
    memGiB: Math.round(os.totalmem() / 2 ** 30),
    os: `${os.type()} ${os.release()} ${os.arch()}`,
    loadavg: os.loadavg().map((n) => n.toFixed(2)).join(' '),
  };
}

module.exports = { machineInfo };

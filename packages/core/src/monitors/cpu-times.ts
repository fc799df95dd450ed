import { closeSync, openSync, readSync } from 'node:fs';
import { cpus } from 'node:os';

/** The machine's CPU time since boot, busy and total (any unit: only ratios of differences are used). */
export interface CpuTimes {
  busy: number;
  total: number;
}

/** Bytes read from the start of /proc/stat: its first line is the aggregate of every CPU. */
const HEAD_BYTES = 256;

/**
 * Busy and total times from the aggregate `cpu` line of a /proc/stat text: user + nice + system + irq
 * busy, plus idle for the total (the fields `os.cpus()` reports); undefined when the line is not there.
 */
export function parseProcStatCpu(text: string): CpuTimes | undefined {
  const end = text.indexOf('\n');
  const f = (end < 0 ? text : text.slice(0, end)).trim().split(/\s+/);
  if (f[0] !== 'cpu' || f.length < 7) return undefined;
  const [user, nice, system, idle, , irq] = f.slice(1, 7).map(Number);
  if (![user, nice, system, idle, irq].every(Number.isFinite)) return undefined;
  const busy = user + nice + system + irq;
  return { busy, total: busy + idle };
}

/**
 * The machine's CPU times now. On Linux, the first line of /proc/stat (one small read); elsewhere, or
 * when it cannot be read, the sum of `os.cpus()`, which on Linux also parses /proc/cpuinfo and reads
 * sysfs for every CPU (about 0.5M instructions a call under callgrind, against a few thousand).
 */
export function readCpuTimes(procStat = '/proc/stat'): CpuTimes {
  if (process.platform === 'linux') {
    try {
      const fd = openSync(procStat, 'r');
      try {
        const buf = Buffer.allocUnsafe(HEAD_BYTES);
        const n = readSync(fd, buf, 0, HEAD_BYTES, 0);
        const t = parseProcStatCpu(buf.toString('latin1', 0, n));
        if (t) return t;
      } finally {
        closeSync(fd);
      }
    } catch {
      // not readable (a sandbox): os.cpus() below
    }
  }
  return osCpuTimes();
}

/** The sum of `os.cpus()` times (ms). */
export function osCpuTimes(): CpuTimes {
  let busy = 0;
  let total = 0;
  for (const c of cpus()) {
    const t = c.times;
    const sum = t.user + t.nice + t.sys + t.idle + t.irq;
    total += sum;
    busy += sum - t.idle;
  }
  return { busy, total };
}

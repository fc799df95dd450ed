import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { osCpuTimes, parseProcStatCpu, readCpuTimes } from './cpu-times';

describe('machine CPU times', () => {
  test('the aggregate cpu line of /proc/stat: user + nice + system + irq busy, idle added for the total (iowait, softirq, steal left out, as os.cpus() does)', () => {
    const text = 'cpu  100 20 30 400 5000 6 70000 800000 0 0\ncpu0 1 2 3 4 5 6 7 8 0 0\nintr 1 2 3\n';
    expect(parseProcStatCpu(text)).toEqual({ busy: 156, total: 556 });
    expect(parseProcStatCpu('cpu0 1 2 3 4 5 6 7\n')).toBeUndefined();
    expect(parseProcStatCpu('cpu  1 2 x 4 5 6 7\n')).toBeUndefined();
    expect(parseProcStatCpu('')).toBeUndefined();
  });

  test('an unreadable or malformed /proc/stat falls back to os.cpus()', () => {
    const dir = mkdtempSync(join(tmpdir(), 'zd-cpu-'));
    try {
      const bad = join(dir, 'stat');
      writeFileSync(bad, 'garbage\n');
      for (const path of [bad, join(dir, 'missing')]) {
        const t = readCpuTimes(path);
        expect(t.total).toBeGreaterThan(0);
        expect(t.busy).toBeGreaterThanOrEqual(0);
        expect(t.busy).toBeLessThanOrEqual(t.total);
      }
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  (process.platform === 'linux' ? test : test.skip)('on Linux the busy share since boot matches os.cpus() (the same fields, summed)', () => {
    const a = readCpuTimes();
    const b = osCpuTimes();
    expect(a.total).toBeGreaterThan(0);
    expect(Math.abs(a.busy / a.total - b.busy / b.total)).toBeLessThan(0.01);
  });
});

import { statfs } from 'node:fs/promises';
import { performance, type EventLoopUtilization } from 'node:perf_hooks';
import { getHeapStatistics } from 'node:v8';
import { readCpuTimes } from './cpu-times';
import { EventLoopDelay } from './event-loop-delay';
import type { ServerMetric, ServerSample } from './types';

/**
 * Reads server metrics; each `sample()` reports the interval since the previous one (the event-loop delay
 * includes the sampler's own lateness given the expected `intervalMs`: see {@link EventLoopDelay}). Disk
 * free space changes slowly and `statfs` may go to a network filesystem, so it is read at most every
 * `diskIntervalMs` (0: every sample); samples in between repeat the last reading.
 */
export class ServerSampler {
  private readonly delay: EventLoopDelay | undefined;
  private elu: EventLoopUtilization;
  private cpu = readCpuTimes();
  private readonly heapLimit = getHeapStatistics().heap_size_limit;
  /** The last disk reading and when it was taken (undefined: not yet). */
  private disk: { percent: number | undefined; at: number } | undefined;

  constructor(
    private readonly metrics: ReadonlySet<ServerMetric>,
    private readonly diskPath: string,
    intervalMs = 0,
    private readonly diskIntervalMs = 0,
  ) {
    if (metrics.has('eventLoopDelayMs')) this.delay = new EventLoopDelay(intervalMs);
    this.elu = performance.eventLoopUtilization();
  }

  /** One sample of the selected metrics. */
  async sample(): Promise<ServerSample> {
    return this.sampleNow();
  }

  /**
   * One sample of the selected metrics: a plain value unless a disk read is due (then a promise), so the
   * monitor's background sample is one function call with no promises between disk reads.
   */
  sampleNow(): ServerSample | Promise<ServerSample> {
    const s: ServerSample = { eventLoopDelayMs: undefined, eventLoopUtilization: undefined, heapUsedPercent: undefined, rssBytes: undefined, cpuPercent: undefined, diskFreePercent: undefined };
    const m = this.metrics;
    if (this.delay) s.eventLoopDelayMs = Math.round(this.delay.read());
    if (m.has('eventLoopUtilization')) {
      const now = performance.eventLoopUtilization();
      // the share of active time between the two readings (what eventLoopUtilization(now, prev) computes, without its object)
      const active = now.active - this.elu.active;
      s.eventLoopUtilization = Math.round((active / (active + now.idle - this.elu.idle)) * 1000) / 1000;
      this.elu = now;
    }
    const heap = m.has('heapUsedPercent');
    if (heap || m.has('rssBytes')) {
      // one call for both (heapUsed is V8's used_heap_size): lighter than getHeapStatistics(), which builds 14 fields
      const mu = process.memoryUsage();
      if (heap) s.heapUsedPercent = Math.round((mu.heapUsed / this.heapLimit) * 1000) / 10;
      if (m.has('rssBytes')) s.rssBytes = mu.rss;
    }
    if (m.has('cpuPercent')) {
      const now = readCpuTimes();
      const total = now.total - this.cpu.total;
      s.cpuPercent = total > 0 ? Math.round(((now.busy - this.cpu.busy) / total) * 1000) / 10 : 0;
      this.cpu = now;
    }
    if (m.has('diskFreePercent')) {
      const d = this.disk;
      if (!d || performance.now() - d.at >= this.diskIntervalMs) {
        return this.readDisk().then((percent) => {
          s.diskFreePercent = percent;
          return s;
        });
      }
      s.diskFreePercent = d.percent;
    }
    return s;
  }

  private async readDisk(): Promise<number | undefined> {
    const at = performance.now();
    let percent: number | undefined;
    try {
      const st = await statfs(this.diskPath);
      percent = st.blocks > 0 ? Math.round((st.bavail / st.blocks) * 1000) / 10 : undefined;
    } catch {
      percent = undefined;
    }
    this.disk = { percent, at };
    return percent;
  }

  /** Stops the event-loop histogram. */
  dispose(): void {
    this.delay?.dispose();
  }
}

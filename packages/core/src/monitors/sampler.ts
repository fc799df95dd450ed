import { statfs } from 'node:fs/promises';
import { cpus } from 'node:os';
import { monitorEventLoopDelay, performance, type EventLoopUtilization, type IntervalHistogram } from 'node:perf_hooks';
import { getHeapStatistics } from 'node:v8';
import type { ServerMetric, ServerSample } from './types';

/**
 * Reads server metrics; each `sample()` reports the interval since the previous one. The event-loop delay
 * is the larger of the histogram's maximum and the sampler's own lateness (given the expected
 * `intervalMs`): after `reset()` the histogram drops its first tick, so a block that starts right after a
 * sample would otherwise be missed.
 */
export class ServerSampler {
  private readonly histogram: IntervalHistogram;
  private lastSample = performance.now();
  private elu: EventLoopUtilization;
  private cpu = cpuTimes();
  private readonly heapLimit = getHeapStatistics().heap_size_limit;

  constructor(
    private readonly metrics: ReadonlySet<ServerMetric>,
    private readonly diskPath: string,
    private readonly intervalMs = 0,
  ) {
    this.histogram = monitorEventLoopDelay({ resolution: 10 });
    if (metrics.has('eventLoopDelayMs')) this.histogram.enable();
    this.elu = performance.eventLoopUtilization();
  }

  /** One sample of the selected metrics. */
  async sample(): Promise<ServerSample> {
    const s: ServerSample = { eventLoopDelayMs: undefined, eventLoopUtilization: undefined, heapUsedPercent: undefined, rssBytes: undefined, cpuPercent: undefined, diskFreePercent: undefined };
    const m = this.metrics;
    const now = performance.now();
    const lateMs = this.intervalMs > 0 ? Math.max(0, now - this.lastSample - this.intervalMs) : 0;
    this.lastSample = now;
    if (m.has('eventLoopDelayMs')) {
      s.eventLoopDelayMs = Math.round(Math.max(this.histogram.count > 0 ? this.histogram.max / 1e6 : 0, lateMs));
      this.histogram.reset();
    }
    if (m.has('eventLoopUtilization')) {
      const now = performance.eventLoopUtilization();
      s.eventLoopUtilization = Math.round(performance.eventLoopUtilization(now, this.elu).utilization * 1000) / 1000;
      this.elu = now;
    }
    if (m.has('heapUsedPercent')) s.heapUsedPercent = Math.round((getHeapStatistics().used_heap_size / this.heapLimit) * 1000) / 10;
    if (m.has('rssBytes')) s.rssBytes = process.memoryUsage.rss();
    if (m.has('cpuPercent')) {
      const now = cpuTimes();
      const total = now.total - this.cpu.total;
      s.cpuPercent = total > 0 ? Math.round(((now.busy - this.cpu.busy) / total) * 1000) / 10 : 0;
      this.cpu = now;
    }
    if (m.has('diskFreePercent')) {
      try {
        const st = await statfs(this.diskPath);
        s.diskFreePercent = st.blocks > 0 ? Math.round((st.bavail / st.blocks) * 1000) / 10 : undefined;
      } catch {
        s.diskFreePercent = undefined;
      }
    }
    return s;
  }

  /** Stops the event-loop histogram. */
  dispose(): void {
    this.histogram.disable();
  }
}

function cpuTimes(): { busy: number; total: number } {
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

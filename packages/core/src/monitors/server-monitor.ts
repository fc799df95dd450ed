import type { AlertManager } from '../alerts/manager';
import { onCallOf } from '../alerts/on-call';
import type { Logger } from '../logger';
import { Hysteresis } from './hysteresis';
import { ServerSampler } from './sampler';
import type { ResolvedMonitorOptions, ServerMetric, ServerSample, Threshold } from './types';

/** Metrics of the machine rather than of the process: their alerts are host-scoped (one per host). */
const HOST_METRICS: ReadonlySet<ServerMetric> = new Set<ServerMetric>(['cpuPercent', 'diskFreePercent']);

const LABEL: Record<ServerMetric, (v: number, t: number) => string> = {
  eventLoopDelayMs: (v, t) => `Event loop delayed ${v} ms (threshold ${t} ms)`,
  eventLoopUtilization: (v, t) => `Event loop utilisation ${Math.round(v * 100)}% (threshold ${Math.round(t * 100)}%)`,
  heapUsedPercent: (v, t) => `Heap ${v}% of its limit used (threshold ${t}%)`,
  rssBytes: (v, t) => `RSS ${Math.round(v / 1048576)} MiB (threshold ${Math.round(t / 1048576)} MiB)`,
  cpuPercent: (v, t) => `CPU ${v}% busy (threshold ${t}%)`,
  diskFreePercent: (v, t) => `Disk ${v}% free (threshold ${t}%)`,
};

/**
 * Server-level alerts: samples event-loop delay, ELU, heap, RSS, CPU and disk free on an interval and
 * raises `server:<metric>@<instanceId>` for the process's own metrics (event loop, heap, RSS) and
 * `server:<metric>@<hostname>` for the machine's (CPU, disk: host-scoped, one notification per host when
 * the processes of a host share a deduper) while a threshold is passed (with hysteresis), resolving when it clears. The alert fires only
 * if the condition still holds after `forMs` (the threshold's, else `alerts.forMs`). Without an alert
 * manager (alerts off) it only samples: `latest()` still works.
 */
export class ServerMonitor {
  private readonly sampler: ServerSampler;
  private readonly states = new Map<ServerMetric, { t: Threshold; h: Hysteresis }>();
  private timer: NodeJS.Timeout | undefined;
  private last: ServerSample | undefined;
  private sampling = false;

  constructor(
    private readonly options: ResolvedMonitorOptions,
    private readonly alerts: AlertManager | undefined,
    private readonly logger: Logger,
  ) {
    for (const [m, t] of Object.entries(options.thresholds) as [ServerMetric, Threshold][]) {
      this.states.set(m, { t, h: new Hysteresis(t, m === 'diskFreePercent') });
    }
    this.sampler = new ServerSampler(new Set(this.states.keys()), options.diskPath, options.intervalMs, options.diskIntervalMs);
  }

  /**
   * Starts sampling on the interval, with a first sample now: it sets the baselines (CPU, ELU) and
   * compiles the sampling code at startup, so a quiet process pays no lazy compilation later.
   */
  start(): void {
    if (this.timer || this.states.size === 0) return;
    this.timer = setInterval(this.tick.bind(this), this.options.intervalMs); // bound: no closure compiled when it first fires
    this.timer.unref();
    this.tick();
  }

  /** The latest sample. */
  latest(): ServerSample | undefined {
    return this.last;
  }

  /** Takes one sample now and updates alerts. */
  async sample(): Promise<ServerSample | undefined> {
    if (this.sampling) return this.last;
    let s: ServerSample | Promise<ServerSample>;
    try {
      s = this.sampler.sampleNow();
      if (!(s instanceof Promise)) return this.apply(s);
    } catch (error) {
      return this.failed(error);
    }
    return this.settle(s);
  }

  /** A background sample: a plain call, with no promise, unless a disk read is due. */
  private tick(): void {
    if (this.sampling) return;
    try {
      const s = this.sampler.sampleNow();
      if (s instanceof Promise) void this.settle(s);
      else this.apply(s);
    } catch (error) {
      this.failed(error);
    }
  }

  /** Applies a sample that waits on a disk read; samples started meanwhile return the previous one. */
  private async settle(pending: Promise<ServerSample>): Promise<ServerSample | undefined> {
    this.sampling = true;
    try {
      return this.apply(await pending);
    } catch (error) {
      return this.failed(error);
    } finally {
      this.sampling = false;
    }
  }

  /** Records a sample and raises or clears the alerts whose thresholds it crosses. */
  private apply(s: ServerSample): ServerSample {
    this.last = s;
    const alerts = this.alerts;
    for (const [m, { t, h }] of this.states) {
      const v = s[m];
      if (v === undefined || !h.update(v) || !alerts) continue;
      const key = `server:${m}`;
      if (h.bad) {
        alerts.raise({
          key,
          scope: HOST_METRICS.has(m) ? 'host' : 'instance',
          level: t.level ?? 'warning',
          source: 'server',
          title: LABEL[m](v, t.threshold),
          details: { metric: m, value: v, threshold: t.threshold },
          ...(t.forMs !== undefined ? { forMs: t.forMs } : {}),
          ...onCallOf(t),
        });
      } else alerts.clear(key, { value: v });
    }
    return s;
  }

  private failed(error: unknown): undefined {
    this.logger.warn({ err: error }, 'zerodown: server monitor sample failed');
    return undefined;
  }

  /** Stops sampling. */
  dispose(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
    this.sampler.dispose();
  }
}

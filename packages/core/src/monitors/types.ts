import type { AlertLevel, OnCallMeta } from '../alerts/types';

/** Server metrics sampled by the monitors. */
export type ServerMetric = 'eventLoopDelayMs' | 'eventLoopUtilization' | 'heapUsedPercent' | 'rssBytes' | 'cpuPercent' | 'diskFreePercent';

/** A threshold with hysteresis: fires after `samples` bad samples, resolves after `samples` samples past `clear`. */
export interface Threshold extends OnCallMeta {
  /** The bad side starts here (above it, or below it for `diskFreePercent`). */
  threshold: number;
  /** The good side starts here. Default: 10% of the threshold back toward good. */
  clear?: number;
  /** Consecutive samples needed to change state. Default 1. */
  samples?: number;
  /** Alert level while past the threshold. */
  level?: AlertLevel;
  /** Alert only if still past the threshold after this (ms). Default `alerts.forMs` (10000). */
  forMs?: number;
}

/** The `monitors` option: server-level alerts. Each metric takes a {@link Threshold} or `false`. */
export interface MonitorOptions {
  /** Turn server monitors off entirely. Default true. They sample even when `alerts.enabled` is false (read `zd.monitors.latest()`). */
  enabled?: boolean;
  /** Sampling interval (ms). Default 10000. */
  intervalMs?: number;
  eventLoopDelayMs?: Threshold | false;
  eventLoopUtilization?: Threshold | false;
  heapUsedPercent?: Threshold | false;
  /** Off unless set. */
  rssBytes?: Threshold | false;
  cpuPercent?: Threshold | false;
  diskFreePercent?: Threshold | false;
  /** Filesystem checked for free space. Default `process.cwd()`. */
  diskPath?: string;
  /** Free space is read at most this often (ms); samples in between repeat the last reading. Default 60000. */
  diskIntervalMs?: number;
}

/** One sample of every metric (undefined: not measured yet). */
export type ServerSample = { [K in ServerMetric]: number | undefined };

/** Monitors after defaults. */
export interface ResolvedMonitorOptions {
  enabled: boolean;
  intervalMs: number;
  diskPath: string;
  diskIntervalMs: number;
  thresholds: Partial<Record<ServerMetric, Threshold>>;
}

/** Default thresholds (documented in the README). */
export const MONITOR_DEFAULTS: { intervalMs: number; diskIntervalMs: number; thresholds: Partial<Record<ServerMetric, Threshold>> } = {
  intervalMs: 10000,
  diskIntervalMs: 60000,
  thresholds: {
    eventLoopDelayMs: { threshold: 1000, level: 'warning' },
    eventLoopUtilization: { threshold: 0.98, level: 'warning', samples: 3 },
    heapUsedPercent: { threshold: 90, level: 'error', samples: 2 },
    cpuPercent: { threshold: 95, level: 'warning', samples: 3 },
    diskFreePercent: { threshold: 10, level: 'error' },
  },
};

/** Applies defaults to the `monitors` option. */
export function resolveMonitorOptions(o: MonitorOptions | undefined): ResolvedMonitorOptions {
  const thresholds: Partial<Record<ServerMetric, Threshold>> = {};
  for (const m of ['eventLoopDelayMs', 'eventLoopUtilization', 'heapUsedPercent', 'rssBytes', 'cpuPercent', 'diskFreePercent'] as const) {
    const given = o?.[m];
    if (given === false) continue;
    const t = given ?? MONITOR_DEFAULTS.thresholds[m];
    if (t) thresholds[m] = { ...MONITOR_DEFAULTS.thresholds[m], ...t };
  }
  return {
    enabled: o?.enabled ?? true,
    intervalMs: o?.intervalMs ?? MONITOR_DEFAULTS.intervalMs,
    diskPath: o?.diskPath ?? process.cwd(),
    diskIntervalMs: o?.diskIntervalMs ?? MONITOR_DEFAULTS.diskIntervalMs,
    thresholds,
  };
}

export { ServerMonitor } from './server-monitor';
export { ServerSampler } from './sampler';
export { Hysteresis } from './hysteresis';
export { MONITOR_DEFAULTS, resolveMonitorOptions, type MonitorOptions, type ResolvedMonitorOptions, type ServerMetric, type ServerSample, type Threshold } from './types';

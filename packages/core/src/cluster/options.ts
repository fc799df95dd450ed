import { availableParallelism } from 'node:os';
import { ZerodownConfigError } from '../errors';
import type { ZerodownOptions } from '../config/options';
import type { LoadBalancerAdapter } from '../lb/adapter';
import type { RespawnSettings } from './respawn';
import type { WorkerOutput } from './worker-handle';

/** Options of {@link startMaster} (`zerodown serve`). */
export interface MasterOptions {
  /** The app's entry file, relative to `cwd`; re-resolved (symlinks followed) on every reload. */
  entry: string;
  /** Arguments passed to the entry. */
  args?: string[];
  /** Working directory of the workers (a `current` symlink is followed on every reload). Default `process.cwd()`. */
  cwd?: string;
  /** Workers to run. Default `os.availableParallelism()`. */
  workers?: number;
  /** New workers started at once during a reload; never more than `workers + surge` alive. Default 1. */
  surge?: number;
  /** How long a new worker may take to become ready (ms). Default 30000. */
  readyTimeoutMs?: number;
  /** A new worker must stay up this long after it became ready before an old one is drained (ms). Default 1000. */
  minUptimeMs?: number;
  /** Backstop: a draining worker still running after this is killed (ms). Default 600000 (its own drain deadline should end it first). */
  workerDrainTimeoutMs?: number;
  /** Sets `PORT` in every worker's environment (the app listens on it; the master holds the socket). */
  port?: number;
  /** Sets `HOST` in every worker's environment. */
  host?: string;
  /** Base environment of the workers. Default `process.env`. */
  env?: Record<string, string | undefined>;
  /** Names the master in `zerodown status`, its socket and its alerts. Default the entry's package name, else `app`. */
  serviceName?: string;
  /** The master's control socket; `false` turns it off. Default `<runtime dir>/<service>-<pid>.sock` (like an app's). */
  controlSocket?: string | false;
  /** Backoff and bound for respawning crashed workers. Defaults: 100 ms doubling to 30 s; give up after 5 crashes in 60 s. */
  respawn?: Partial<RespawnSettings>;
  /**
   * Options of the master's own zerodown instance: alerts (sinks: webhook, Rollbar, logger), the host
   * drain delay and deadline (`drain.delayMs`, `drain.timeoutMs`), load-balancer timing.
   */
  zerodown?: ZerodownOptions;
  /** The host's load-balancer adapter: registered once every worker is ready, deregistered once on SIGTERM/SIGINT. */
  loadBalancer?: LoadBalancerAdapter;
  /** Install SIGHUP/SIGUSR2 (reload) and SIGTERM/SIGINT (stop) handlers. Default true. */
  signals?: boolean;
  /** Where worker output goes. Default the master's stdout/stderr. */
  output?: WorkerOutput;
}

/** Defaults of {@link MasterOptions}. */
export const MASTER_DEFAULTS = {
  surge: 1,
  readyTimeoutMs: 30000,
  minUptimeMs: 1000,
  workerDrainTimeoutMs: 600000,
  respawn: { initialDelayMs: 100, maxDelayMs: 30000, maxRestarts: 5, windowMs: 60000 },
} as const;

/** {@link MasterOptions} with defaults applied. */
export type ResolvedMasterOptions = Required<Pick<MasterOptions, 'entry' | 'args' | 'cwd' | 'workers' | 'surge' | 'readyTimeoutMs' | 'minUptimeMs' | 'workerDrainTimeoutMs' | 'env' | 'signals' | 'output'>> &
  Pick<MasterOptions, 'port' | 'host' | 'serviceName' | 'controlSocket' | 'zerodown' | 'loadBalancer'> & { respawn: RespawnSettings };

function whole(field: string, value: number | undefined, min: number, fallback: number): number {
  if (value === undefined) return fallback;
  if (!Number.isInteger(value) || value < min) throw new ZerodownConfigError(field, `zerodown serve: invalid ${field}: expected a whole number >= ${min}, got ${JSON.stringify(value)}`);
  return value;
}

/** Applies defaults; a bad value throws a {@link ZerodownConfigError} naming the field. */
export function resolveMasterOptions(o: MasterOptions): ResolvedMasterOptions {
  if (typeof o?.entry !== 'string' || o.entry === '') throw new ZerodownConfigError('entry', `zerodown serve: invalid entry: expected the path of the app's entry file, got ${JSON.stringify(o?.entry)}`);
  const r = { ...MASTER_DEFAULTS.respawn, ...o.respawn };
  return {
    entry: o.entry,
    args: o.args ?? [],
    cwd: o.cwd ?? process.cwd(),
    workers: whole('workers', o.workers, 1, availableParallelism()),
    surge: whole('surge', o.surge, 1, MASTER_DEFAULTS.surge),
    readyTimeoutMs: whole('readyTimeoutMs', o.readyTimeoutMs, 1, MASTER_DEFAULTS.readyTimeoutMs),
    minUptimeMs: whole('minUptimeMs', o.minUptimeMs, 0, MASTER_DEFAULTS.minUptimeMs),
    workerDrainTimeoutMs: whole('workerDrainTimeoutMs', o.workerDrainTimeoutMs, 1, MASTER_DEFAULTS.workerDrainTimeoutMs),
    port: o.port === undefined ? undefined : whole('port', o.port, 0, 0),
    host: o.host,
    env: o.env ?? process.env,
    serviceName: o.serviceName,
    controlSocket: o.controlSocket,
    respawn: {
      initialDelayMs: whole('respawn.initialDelayMs', r.initialDelayMs, 1, 0),
      maxDelayMs: whole('respawn.maxDelayMs', r.maxDelayMs, 1, 0),
      maxRestarts: whole('respawn.maxRestarts', r.maxRestarts, 0, 0),
      windowMs: whole('respawn.windowMs', r.windowMs, 1, 0),
    },
    zerodown: o.zerodown,
    loadBalancer: o.loadBalancer,
    signals: o.signals ?? true,
    output: o.output ?? { stdout: process.stdout, stderr: process.stderr },
  };
}

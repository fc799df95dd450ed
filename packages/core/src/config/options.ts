import type { Runtime } from '../drain/runtime';
import type { Logger } from '../logger';
import type { AlertOptions, ResolvedAlertOptions } from '../alerts/options';
import type { BreakerDefaults, ResolvedBreakerDefaults } from '../breakers/types';
import type { FleetOptions, ResolvedFleetOptions } from '../fleet/types';
import type { MonitorOptions, ResolvedMonitorOptions } from '../monitors/types';
import type { ResolvedSheddingOptions, SheddingOptions } from '../shedding/shedder';

/** Options of {@link zerodown}. Everything is optional; code wins over env, env over defaults. */
export interface ZerodownOptions {
  /** A pino-compatible logger. Default: JSON lines on stderr at `info`. */
  logger?: Logger;
  /** Environment to read `ZERODOWN_*` settings from. Default: `process.env` at construction. */
  env?: Record<string, string | undefined>;
  /** Service name shown in `/health` details and alerts. */
  serviceName?: string;
  /** Release version shown in `/health` details (authorised callers only). */
  version?: string;
  health?: HealthOptions;
  drain?: DrainOptions;
  loadBalancer?: LoadBalancerTimingOptions;
  control?: ControlOptions;
  /** How the process ends after a drain. Default: `process.exit`. Tests inject a spy. */
  exit?: (code: number) => void;
  /**
   * Process effects of the drain (clock, timers, signal source, exit) in one object. Default: the real
   * process (with `exit` above). Tests pass one with fake time.
   */
  runtime?: Runtime;
  /** Defaults of every breaker made with `zd.breakers.wrap` (each may override them). */
  breakers?: BreakerDefaults;
  /** Alert sinks and rules (third-party, application and server alerts). */
  alerts?: AlertOptions;
  /** Server-level alerts: event-loop delay, ELU, heap, RSS, CPU, disk free. `false` turns them off. */
  monitors?: MonitorOptions | false;
  /** Opt-in load shedding: 503 + `Retry-After` to ordinary routes while overloaded. */
  shedding?: SheddingOptions;
  /** Fleet mode: alert de-duplication, shared breaker state and probe lease through the app's ioredis client. */
  fleet?: FleetOptions;
}

/** Probe endpoints and check defaults. */
export interface HealthOptions {
  /** Probe paths. Defaults: `/livez`, `/readyz`, `/health`. */
  paths?: { live?: string; ready?: string; health?: string };
  /** Bearer token that unlocks details on the probes. Env: `ZERODOWN_HEALTH_TOKEN`. */
  token?: string;
  /** Show details (error texts, versions, hostnames) to everyone. Default false. */
  exposeDetails?: boolean;
  /** Default refresh interval of a check (ms). Default 5000. */
  intervalMs?: number;
  /** Default timeout of a check (ms). Default 2000. */
  timeoutMs?: number;
  /** Liveness fails when the event loop was blocked longer than this (ms). Default 10000; 0 turns it off. */
  eventLoopStallMs?: number;
  /**
   * How often the `eventloop` liveness check reads the worst delay since its previous run (ms). A stall is
   * never missed between runs; the verdict comes up to this long after it ends and then holds this long. Default 10000.
   */
  eventLoopIntervalMs?: number;
}

/** The shutdown pipeline. */
export interface DrainOptions {
  /** Time to keep serving after readiness fails, so the load balancer notices (ms). Env: `ZERODOWN_DRAIN_DELAY_MS`. Default: the load balancer's health-check interval × unhealthy threshold. */
  delayMs?: number;
  /** One deadline for the whole drain (ms). Env: `ZERODOWN_DRAIN_TIMEOUT_MS`. Default: delay + 30000. */
  timeoutMs?: number;
  /**
   * Signals that start a drain. A signal after the one that started (or joined) the drain forces the
   * exit with 128 + its number, unless it comes within 1000 ms of it (the same delivery twice). The
   * first signal after a drain the app started itself only joins it. `false` installs no handlers.
   * Default `['SIGTERM', 'SIGINT']`.
   */
  signals?: NodeJS.Signals[] | false;
  /** Default timeout of each shutdown hook (ms). Default 5000. */
  hookTimeoutMs?: number;
  /**
   * Time for all cleanup hooks together, after the request phase (ms): hooks always run, even when
   * the deadline was reached, each within min(its own timeout, budget left). Default 10000.
   * Worst-case drain: `timeoutMs + hookBudgetMs + flushTimeoutMs`.
   */
  hookBudgetMs?: number;
  /** Time allowed to flush alerts and telemetry after the hooks (ms). Default 2000. */
  flushTimeoutMs?: number;
  /** Call `exit` when the drain ends. Default true. */
  exit?: boolean;
}

/**
 * The local control channel (`zerodown status|drain|resume` talk to it): JSON over HTTP on a Unix
 * socket, mode 0600. On by default so a deploy script can drain any app without an app change; it
 * costs one file descriptor and never keeps the process alive.
 */
export interface ControlOptions {
  /**
   * Socket path, or `false` to turn the channel off. Env: `ZERODOWN_CONTROL_SOCKET` (a path, or `off`).
   * Default `$XDG_RUNTIME_DIR/zerodown/<service>-<pid>.sock`, else `/run/zerodown/...` (root), else
   * `<os.tmpdir()>/zerodown-<uid>/...`; the CLI searches the same directories.
   */
  socket?: string | false;
}

/** What zerodown needs to know about the load balancer in front of the app. */
export interface LoadBalancerTimingOptions {
  /** The load balancer's idle (keep-alive) timeout (ms). ALB default 60000. */
  idleTimeoutMs?: number;
  /** The load balancer's health-check interval (ms). Default 5000. */
  healthCheckIntervalMs?: number;
  /** Failed checks before the load balancer stops routing. Default 2. */
  unhealthyThreshold?: number;
}

/** Options after defaults and env are applied: everything present. */
export interface ResolvedOptions {
  logger: Logger;
  serviceName: string | undefined;
  version: string | undefined;
  health: {
    paths: { live: string; ready: string; health: string };
    token: string | undefined;
    exposeDetails: boolean;
    intervalMs: number;
    timeoutMs: number;
    eventLoopStallMs: number;
    eventLoopIntervalMs: number;
  };
  drain: {
    delayMs: number;
    timeoutMs: number;
    signals: NodeJS.Signals[];
    hookTimeoutMs: number;
    hookBudgetMs: number;
    flushTimeoutMs: number;
    exit: boolean;
  };
  loadBalancer: { idleTimeoutMs: number; healthCheckIntervalMs: number; unhealthyThreshold: number };
  /** Control socket; `undefined` when turned off. `explicit` when set by option or env (never suffixed). */
  control: { path: string; explicit: boolean } | undefined;
  exit: (code: number) => void;
  breakers: ResolvedBreakerDefaults;
  alerts: ResolvedAlertOptions;
  monitors: ResolvedMonitorOptions;
  shedding: ResolvedSheddingOptions;
  fleet: ResolvedFleetOptions;
}

/** Defaults in one place (documented in the README's table; a test checks they agree). */
export const DEFAULTS = {
  health: { paths: { live: '/livez', ready: '/readyz', health: '/health' }, exposeDetails: false, intervalMs: 5000, timeoutMs: 2000, eventLoopStallMs: 10000, eventLoopIntervalMs: 10000 },
  drain: { signals: ['SIGTERM', 'SIGINT'] as NodeJS.Signals[], hookTimeoutMs: 5000, hookBudgetMs: 10000, flushTimeoutMs: 2000, exit: true, extraTimeoutMs: 30000 },
  loadBalancer: { idleTimeoutMs: 60000, healthCheckIntervalMs: 5000, unhealthyThreshold: 2 },
} as const;

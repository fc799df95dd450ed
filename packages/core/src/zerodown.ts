import type { IncomingMessage, ServerResponse } from 'node:http';
import { resolveOptions } from './config/resolve';
import { ZerodownConfigError } from './errors';
import type { ResolvedOptions, ZerodownOptions } from './config/options';
import { InflightCounter } from './drain/inflight';
import { ShutdownHooks, type ShutdownHook, type ShutdownHookOptions } from './drain/hooks';
import { DrainRun, runDrain, type DrainHost, type DrainResult, type Flusher, type ZerodownEvents } from './drain/pipeline';
import { processRuntime, type Runtime } from './drain/runtime';
import { installSignalHandlers } from './drain/signals';
import { ServerTracker, type AttachableServer, type RequestListener } from './drain/server-tracker';
import { UpgradeClosers, type WebSocketServerLike } from './drain/upgrades';
import { checkServerTimeouts } from './drain/server-timeouts';
import { eventLoopDelayCheck } from './health/checks/event-loop';
import { HealthRegistry } from './health/registry';
import type { LoadBalancerAdapter, LoadBalancerContext, UseLoadBalancerOptions } from './lb/adapter';
import { LoadBalancerSupersededError, MinHealthyError } from './lb/errors';
import { serialOperations } from './lb/serial-operations';
import { Lifecycle, type LifecycleState } from './lifecycle/state';
import type { Logger } from './logger';
import { Probes, type ProbeMatching } from './probes/probes';
import type { ControlChannel } from './control/channel';
import { Emitter, type Disposer } from './util/emitter';
import { createResilience, type Resilience } from './compose/resilience';
import type { AlertManager } from './alerts/manager';
import type { BreakerRegistry } from './breakers/registry';
import type { ServerMonitor } from './monitors/server-monitor';
import type { Shedder } from './shedding/shedder';
import { startWorkerLink, type WorkerLink } from './cluster/worker-link';

/** Options of {@link Zerodown.attach}. */
export interface AttachOptions {
  /** Set `keepAliveTimeout`/`headersTimeout` above the load balancer's idle timeout instead of warning. Default false. */
  tuneTimeouts?: boolean;
  /**
   * Answer the probe paths (and shed load) in front of the server's request listener, before any app
   * middleware runs. Default true. Set false to serve the probes from inside the app (e.g. the Express
   * middleware behind your own auth).
   */
  probes?: boolean;
  /**
   * Match probe URLs the way the app's router matches its routes (a framework adapter passes its
   * router's options: `@zerodown/fastify` does): `/readyz/` with `ignoreTrailingSlash`, `/READYZ` with
   * `caseInsensitive`, `//readyz` with `ignoreDuplicateSlashes`. Default: the exact path only.
   */
  probeMatching?: ProbeMatching;
}

export type { DrainResult, Flusher, ZerodownEvents } from './drain/pipeline';

/** Options of one {@link Zerodown.drain} call. */
export interface DrainCallOptions {
  /**
   * Time to keep serving before stopping (ms), for this drain only. Default `drain.delayMs`. A caller
   * that knows the load balancer already stopped routing here (a cluster master, a deploy script that
   * deregistered first) passes 0.
   */
  delayMs?: number;
  /** The drain follows a crash: it exits 1 even when every request drained. Default false. */
  crash?: boolean;
  /** Deregister through the load-balancer adapter. Default true; false under `zerodown serve`, whose master owns it. */
  deregister?: boolean;
  /** Close an idle keep-alive connection only once it stayed idle this long (ms). Default 0: at once. */
  idleGraceMs?: number;
}

const kDisposed = Symbol('zerodown.disposed');
/** Marks a `zd.requestListener` wrapper with its instance and the app's handler. */
const kFronted = Symbol('zerodown.fronted');
type Fronted = ((req: IncomingMessage, res: ServerResponse) => void) & { [kFronted]?: { owner: Zerodown; handler: RequestListener } };

/**
 * Default bound of a load-balancer wait outside a drain (register at ready/resume, deregister on
 * suspend): 10 minutes, above an ALB's default deregistration delay (300 s) and its default time to
 * healthy (5 checks × 30 s).
 */
export const LB_WAIT_DEFAULT_MS = 600_000;

/**
 * One zerodown instance per process: lifecycle, health registry, probes, drain pipeline.
 * Create it with {@link zerodown}.
 */
export class Zerodown {
  /** The resolved options (defaults and env applied). */
  readonly options: ResolvedOptions;
  readonly logger: Logger;
  /** Dependency checks. */
  readonly health: HealthRegistry;
  /** Probe answers (framework-free). */
  readonly probes: Probes;
  readonly lifecycle: Lifecycle;
  /** The local control channel (Unix socket), unless turned off with `control.socket: false`. */
  readonly control: ControlChannel | undefined;
  /** Circuit breakers around third parties: `zd.breakers.wrap(name, (call, ...args) => …, options)`. */
  readonly breakers: BreakerRegistry;
  /** Alerts (sinks, active conditions; `raise`/`clear` for the app's own conditions). */
  readonly alerts: AlertManager;
  /** Server monitors (undefined when `monitors` is off; they sample even with `alerts.enabled: false`). */
  readonly monitors: ServerMonitor | undefined;
  /** Load shedding: `zd.shedding.shouldShed()` (always false unless `shedding.enabled`; `set()` throws when it is off). */
  readonly shedding: Shedder;
  private readonly resilience: Resilience;
  /** Process effects (clock, timers, signals, exit): option `runtime`, default the real process. */
  private readonly runtime: Runtime;
  private readonly inflightCounter = new InflightCounter();
  private readonly trackers: ServerTracker[] = [];
  private readonly hooks: ShutdownHooks;
  private readonly flushers = new Map<string, Flusher>();
  private readonly upgrades = new UpgradeClosers();
  private readonly events: Emitter<ZerodownEvents>;
  private removeSignals: () => void = () => {};
  private idleWaiters = 0;
  private drainPromise: Promise<DrainResult> | undefined;
  private readonly workerLink: WorkerLink | undefined;
  private run: DrainRun | undefined;
  private lb: { adapter: LoadBalancerAdapter; deregisterOnDrain: boolean; registerOnReady: boolean } | undefined;
  private [kDisposed] = false;

  constructor(options?: ZerodownOptions) {
    this.options = resolveOptions(options);
    this.logger = this.options.logger;
    this.runtime = options?.runtime ?? processRuntime(this.options.exit);
    this.lifecycle = new Lifecycle(this.logger);
    this.events = new Emitter((error) => this.logger.error({ err: error }, 'zerodown: listener threw'));
    this.health = new HealthRegistry({ intervalMs: this.options.health.intervalMs, timeoutMs: this.options.health.timeoutMs }, this.logger);
    this.probes = new Probes(this.health, this.lifecycle, {
      ...this.options.health,
      serviceName: this.options.serviceName,
      version: this.options.version,
    });
    this.hooks = new ShutdownHooks(this.options.drain.hookTimeoutMs, this.logger);
    this.resilience = createResilience(this);
    ({ breakers: this.breakers, alerts: this.alerts, monitors: this.monitors, shedding: this.shedding } = this.resilience);
    if (this.options.health.eventLoopStallMs > 0) {
      this.health.register('eventloop', eventLoopDelayCheck({ maxMs: this.options.health.eventLoopStallMs }), { liveness: true, critical: true, timeoutMs: 1000, intervalMs: this.options.health.eventLoopIntervalMs });
    }
    this.health.start();
    this.removeSignals = installSignalHandlers(this, this.runtime, this.options.drain.signals);
    this.control = this.options.control && (require('./control/channel') as typeof import('./control/channel')).startControlChannel(this, this.options.control);
    this.workerLink = startWorkerLink(this, options?.env ?? process.env);
  }

  /** Current lifecycle state. */
  get state(): LifecycleState {
    return this.lifecycle.state;
  }

  /** Name of the load-balancer adapter in use, if any. */
  get loadBalancer(): string | undefined {
    return this.lb?.adapter.name;
  }

  /** True while a drain runs (from its start until the process exits). */
  get draining(): boolean {
    return this.drainPromise !== undefined;
  }

  /**
   * Resolves when no request is in flight (at once if already idle); rejects with the signal's reason
   * when `signal` aborts first. Event-driven: while someone waits, requests are counted one by one
   * (before that, not at all: it would cost every request), and nothing polls or holds the process.
   */
  idle(signal?: AbortSignal): Promise<void> {
    if (this.inflight === 0) return Promise.resolve();
    if (this.idleWaiters++ === 0) for (const t of this.trackers) t.watch(true);
    return this.inflightCounter.until(() => this.inflight === 0, signal).finally(() => {
      if (--this.idleWaiters === 0) for (const t of this.trackers) t.watch(false);
    });
  }

  /** Requests in flight across every attached server. */
  get inflight(): number {
    let n = this.inflightCounter.count;
    for (const t of this.trackers) n += t.unarmedInflight();
    return n;
  }

  /** Open connections across every attached server. */
  get connections(): number {
    let n = 0;
    for (const t of this.trackers) n += t.connections;
    return n;
  }

  /** Marks startup as finished: readiness may pass from now on (once critical checks pass). */
  ready(): void {
    if (this.lifecycle.state !== 'starting') return;
    if (this.trackers.length === 0) {
      this.logger.warn({ code: 'ZERODOWN_NOT_ATTACHED' }, 'zerodown: ready() was called but no server is attached; call zd.attach(server) so a drain can track and close its connections');
    }
    this.lifecycle.transition('ready');
    this.logger.info({ state: 'ready' }, 'zerodown: ready');
    if (this.lb?.registerOnReady) void this.registerWithLoadBalancer();
  }

  /** Tracks a node:http/https/http2 server's connections and requests for drain; returns a disposer. */
  attach(server: AttachableServer, options: AttachOptions = {}): Disposer {
    if (!server || typeof server.prependListener !== 'function') {
      throw new ZerodownConfigError('server', 'zd.attach: expected a node:http, node:https or node:http2 server');
    }
    const m = options.probeMatching as unknown;
    if (m !== undefined && (typeof m !== 'object' || m === null || Object.entries(m).some(([k, v]) => !['ignoreTrailingSlash', 'caseInsensitive', 'ignoreDuplicateSlashes'].includes(k) || (v !== undefined && typeof v !== 'boolean')))) {
      throw new ZerodownConfigError('probeMatching', 'zd.attach: expected option probeMatching to be an object of true/false flags { ignoreTrailingSlash, caseInsensitive, ignoreDuplicateSlashes }');
    }
    if (this.trackers.some((t) => t.server === server)) return () => {};
    checkServerTimeouts(server, this.options.loadBalancer.idleTimeoutMs, this.logger, options.tuneTimeouts ?? false);
    const front = options.probes === false ? undefined : this.frontHandler(options.probeMatching);
    const tracker = new ServerTracker(server, this.inflightCounter, front, this.frontGate(options.probeMatching), (fn) => (fn as Fronted)[kFronted]?.owner === this ? (fn as Fronted)[kFronted]!.handler : fn);
    this.trackers.push(tracker);
    return () => {
      tracker.detach();
      const i = this.trackers.indexOf(tracker);
      if (i !== -1) this.trackers.splice(i, 1);
    };
  }

  /** The probes' second-character gate, when only they answer in front (no load shedding): most URLs then skip the front handler. */
  private frontGate(matching?: ProbeMatching): Uint8Array | undefined {
    return this.shedding.options.enabled ? undefined : this.probes.gate(matching);
  }

  private frontHandler(matching?: ProbeMatching): (req: IncomingMessage, res: ServerResponse) => boolean {
    const probes = this.probes;
    const shedding = this.shedding;
    return (req, res) => {
      if (probes.handle(req, res, matching)) return true;
      if (!shedding.shouldShed()) return false;
      shedding.reject(res);
      return true;
    };
  }

  /** Wraps a plain node:http handler so probe paths are answered first (not needed when the server is attached). */
  requestListener(handler: (req: IncomingMessage, res: ServerResponse) => void): (req: IncomingMessage, res: ServerResponse) => void {
    const front = this.frontHandler();
    const gate = this.frontGate();
    const listener: Fronted = (req, res) => {
      const url = req.url;
      let c: number;
      if ((gate !== undefined && !(url !== undefined && (c = url.charCodeAt(1)) < 128 && gate[c] === 1)) || !front(req, res)) handler(req, res);
    };
    // an attached server calls `handler` itself, after its own probe answer (one match per request)
    listener[kFronted] = { owner: this, handler: handler as RequestListener };
    return listener;
  }

  /** Adds a cleanup hook run during drain, in reverse order of registration, with its own timeout. */
  onShutdown(name: string, fn: ShutdownHook, options?: ShutdownHookOptions): Disposer {
    return this.hooks.add(name, fn, options);
  }

  /**
   * Closes upgraded connections at the drain's stop step, before the in-flight wait: pass a `ws`
   * WebSocketServer (its clients get `close(1001)`) or an http(s) server whose upgrades the app handles
   * itself (each upgraded socket gets a 1001 close frame when it was a WebSocket, then is ended). A peer
   * that does not close within 2 s is destroyed. Returns a disposer.
   */
  trackUpgrades(target: WebSocketServerLike | AttachableServer): Disposer {
    return this.upgrades.add(target);
  }

  /** Adds a flush step (alerts, telemetry) run last, within `drain.flushTimeoutMs`. */
  onFlush(name: string, fn: Flusher): Disposer {
    this.flushers.set(name, fn);
    return () => this.flushers.delete(name);
  }

  /** Subscribes to drain events. */
  on<K extends keyof ZerodownEvents>(event: K, fn: (...args: ZerodownEvents[K]) => void): Disposer {
    return this.events.on(event, fn);
  }

  /**
   * Uses a load-balancer adapter: deregister on drain/suspend, register on ready/resume. One operation runs
   * at a time: a newer one cancels the one in progress and waits for it to settle ({@link serialOperations}).
   */
  useLoadBalancer(adapter: LoadBalancerAdapter, options: UseLoadBalancerOptions = {}): void {
    this.lb = { adapter: serialOperations(adapter), deregisterOnDrain: options.deregisterOnDrain ?? true, registerOnReady: options.registerOnReady ?? true };
    if (this.lifecycle.state === 'ready' && this.lb.registerOnReady) void this.registerWithLoadBalancer();
  }

  /**
   * Fails readiness without exiting (the control channel's `drain`); with a load-balancer adapter,
   * also deregisters and resolves once the load balancer stopped routing here. The adapter's min-healthy
   * guard is checked first: when it refuses, this rejects with its `MinHealthyError` and readiness stays
   * exactly as it was (`force` deregisters anyway, logged at warn). `timeoutMs` bounds the load-balancer
   * wait (default: {@link LB_WAIT_DEFAULT_MS}).
   */
  async suspend(reason = 'suspended', options: { timeoutMs?: number; force?: boolean } = {}): Promise<void> {
    let suspended = false;
    const fail = (): void => {
      if (suspended) return;
      suspended = true;
      this.lifecycle.suspend(reason);
      this.logger.info({ reason }, 'zerodown: readiness suspended');
    };
    if (!this.lb?.deregisterOnDrain) return fail();
    const ctx = this.lbContext(AbortSignal.timeout(options.timeoutMs ?? LB_WAIT_DEFAULT_MS), {
      onDeregistering: fail,
      bypassGuard: options.force ? 'the caller forced it' : undefined,
    });
    try {
      await this.lb.adapter.deregister(ctx);
    } catch (error) {
      // refused by the guard (or cancelled by a newer operation) before anything changed: readiness stays as it was
      if (!suspended && (error instanceof MinHealthyError || error instanceof LoadBalancerSupersededError)) throw error;
      fail();
      throw error;
    }
    fail();
  }

  /**
   * Lifts {@link suspend}; with a load-balancer adapter, registers again and waits until healthy
   * (bounded by `timeoutMs`, default {@link LB_WAIT_DEFAULT_MS}).
   */
  async resume(options: { timeoutMs?: number } = {}): Promise<void> {
    if (this.lifecycle.state === 'draining' || this.lifecycle.state === 'stopped') return;
    this.lifecycle.resume();
    this.logger.info({}, 'zerodown: readiness resumed');
    if (this.lb?.registerOnReady && this.lifecycle.state === 'ready') await this.lb.adapter.register(this.lbContext(AbortSignal.timeout(options.timeoutMs ?? LB_WAIT_DEFAULT_MS)));
  }

  /**
   * Runs the drain pipeline once (later calls return the same promise; a later `crash: true` still
   * makes it exit 1): fail readiness → wait for the load balancer while serving normally → stop
   * accepting → wait for in-flight → hooks → exit code → flush → exit. `drain.timeoutMs` bounds the
   * request phase; hooks get `drain.hookBudgetMs` after it, the flush `drain.flushTimeoutMs`.
   */
  drain(reason = 'api', options: DrainCallOptions = {}): Promise<DrainResult> {
    if (this.drainPromise) {
      if (options.crash && this.run) this.run.crash = true;
      return this.drainPromise;
    }
    const delayMs = options.delayMs ?? this.options.drain.delayMs;
    if (!Number.isInteger(delayMs) || delayMs < 0) {
      throw new ZerodownConfigError('drain.delayMs', `zerodown: invalid option "delayMs" of zd.drain(): expected a whole number of milliseconds >= 0, got ${JSON.stringify(delayMs)}`);
    }
    this.run = new DrainRun(this.drainHost(), reason, delayMs, options.crash ?? false, options.deregister ?? true, options.idleGraceMs ?? 0);
    this.drainPromise = runDrain(this.run);
    return this.drainPromise;
  }

  /** Stops timers and removes signal listeners without draining (tests, `fastify.close()`). */
  dispose(): void {
    if (this[kDisposed]) return;
    this[kDisposed] = true;
    this.resilience.dispose();
    this.health.dispose();
    this.removeSignals();
    this.workerLink?.dispose();
    for (const t of this.trackers) t.detach();
    this.control?.close();
  }

  private drainHost(): DrainHost {
    const zd = this;
    return {
      options: this.options.drain,
      logger: this.logger,
      runtime: this.runtime,
      lifecycle: this.lifecycle,
      events: this.events,
      trackers: this.trackers,
      inflightCounter: this.inflightCounter,
      hooks: this.hooks,
      flushers: this.flushers,
      upgrades: this.upgrades,
      lb: this.lb,
      get inflight() {
        return zd.inflight;
      },
      get connections() {
        return zd.connections;
      },
      lbContext: (signal, extra) => this.lbContext(signal, extra),
      stopped: () => {
        this.health.stop();
        this.removeSignals();
        this.control?.close();
      },
    };
  }

  private lbContext(signal: AbortSignal, extra: Pick<LoadBalancerContext, 'onDeregistering' | 'bypassGuard'> = {}): LoadBalancerContext {
    return { signal, inflight: () => this.inflight, logger: this.logger, ...extra };
  }

  private async registerWithLoadBalancer(): Promise<void> {
    if (!this.lb) return;
    try {
      await this.lb.adapter.register(this.lbContext(AbortSignal.timeout(LB_WAIT_DEFAULT_MS)));
    } catch (error) {
      if (error instanceof LoadBalancerSupersededError) this.logger.info({ loadBalancer: this.lb?.adapter.name }, `zerodown: ${error.message}`);
      else this.logger.error({ err: error, loadBalancer: this.lb?.adapter.name }, 'zerodown: load-balancer registration failed');
    }
  }
}

/** Creates the process's zerodown instance. Invalid options throw a `ZerodownConfigError` naming the field. */
export function zerodown(options?: ZerodownOptions): Zerodown {
  return new Zerodown(options);
}

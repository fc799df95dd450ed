import type { IncomingMessage, ServerResponse } from 'node:http';
import { constants as osConstants } from 'node:os';
import { resolveOptions } from './config/resolve';
import { ZerodownConfigError } from './errors';
import type { ResolvedOptions, ZerodownOptions } from './config/options';
import { InflightCounter } from './drain/inflight';
import { ShutdownHooks, type HookReport, type ShutdownHook, type ShutdownHookOptions } from './drain/hooks';
import { ServerTracker, type AttachableServer } from './drain/server-tracker';
import { checkServerTimeouts } from './drain/server-timeouts';
import { eventLoopDelayCheck } from './health/checks/event-loop';
import { HealthRegistry } from './health/registry';
import type { LoadBalancerAdapter, LoadBalancerContext, UseLoadBalancerOptions } from './lb/adapter';
import { LoadBalancerSupersededError, MinHealthyError } from './lb/errors';
import { serialOperations } from './lb/serial-operations';
import { Lifecycle, type LifecycleState } from './lifecycle/state';
import type { Logger } from './logger';
import { Probes } from './probes/probes';
import { startControlChannel, type ControlChannel } from './control/channel';
import { Emitter, type Disposer } from './util/emitter';
import { createResilience, type Resilience } from './compose/resilience';
import type { AlertManager } from './alerts/manager';
import type { BreakerRegistry } from './breakers/registry';
import type { ServerMonitor } from './monitors/server-monitor';
import type { Shedder } from './shedding/shedder';
import { sleep, withTimeout } from './util/time';
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
}

/** What a drain did. */
export interface DrainResult {
  reason: string;
  /** True when the deadline passed with work still in flight. */
  forced: boolean;
  /** Connections destroyed at the deadline. */
  cut: number;
  hooks: HookReport[];
  durationMs: number;
  /** 0 when everything drained, 1 when the deadline forced it. */
  exitCode: number;
}

/** Events of a zerodown instance. */
export type ZerodownEvents = {
  'drain:start': [reason: string];
  /** The deadline passed with `cut` connections still open. */
  'drain:forced': [cut: number, inflight: number];
  'drain:end': [result: DrainResult];
};

/** Options of one {@link Zerodown.drain} call. */
export interface DrainCallOptions {
  /** Wait for the load balancer this long instead of `drain.delayMs` (0: stop accepting at once). */
  delayMs?: number;
  /** Deregister through the load-balancer adapter (default true; false under `zerodown serve`, whose master owns it). */
  deregister?: boolean;
  /** Close an idle keep-alive connection only once idle this long (default 0: at once); see `ServerTracker.stop`. */
  idleGraceMs?: number;
}

/** A flush step run at the end of a drain (alerts, telemetry). */
export type Flusher = (signal: AbortSignal) => Promise<void> | void;

const kDisposed = Symbol('zerodown.disposed');

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
  private readonly inflightCounter = new InflightCounter();
  private readonly trackers: ServerTracker[] = [];
  private readonly hooks: ShutdownHooks;
  private readonly flushers = new Map<string, Flusher>();
  private readonly events: Emitter<ZerodownEvents>;
  private readonly signalHandlers = new Map<NodeJS.Signals, () => void>();
  private drainPromise: Promise<DrainResult> | undefined;
  private readonly workerLink: WorkerLink | undefined;
  private lb: { adapter: LoadBalancerAdapter; deregisterOnDrain: boolean; registerOnReady: boolean } | undefined;
  private [kDisposed] = false;

  constructor(options?: ZerodownOptions) {
    this.options = resolveOptions(options);
    this.logger = this.options.logger;
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
      this.health.register('eventloop', eventLoopDelayCheck({ maxMs: this.options.health.eventLoopStallMs }), { liveness: true, critical: true, timeoutMs: 1000 });
    }
    this.health.start();
    for (const sig of this.options.drain.signals) this.installSignal(sig);
    this.control = this.options.control && startControlChannel(this, this.options.control);
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

  /** Resolves when no request is in flight (at once if already idle). */
  idle(): Promise<void> {
    if (this.inflight === 0) return Promise.resolve();
    // before a stop, HTTP/1 requests are not counted one by one (it costs every request): poll
    return new Promise((resolve) => {
      const t = setInterval(() => {
        if (this.inflight !== 0) return;
        clearInterval(t);
        resolve();
      }, 25);
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
    if (this.trackers.some((t) => t.server === server)) return () => {};
    checkServerTimeouts(server, this.options.loadBalancer.idleTimeoutMs, this.logger, options.tuneTimeouts ?? false);
    const front = options.probes === false ? undefined : this.frontHandler();
    const tracker = new ServerTracker(server, this.inflightCounter, front);
    this.trackers.push(tracker);
    return () => {
      tracker.detach();
      const i = this.trackers.indexOf(tracker);
      if (i !== -1) this.trackers.splice(i, 1);
    };
  }

  private frontHandler(): (req: IncomingMessage, res: ServerResponse) => boolean {
    const probes = this.probes;
    const shedding = this.shedding;
    return (req, res) => {
      if (probes.handle(req, res)) return true;
      if (!shedding.shouldShed()) return false;
      shedding.reject(res);
      return true;
    };
  }

  /** Wraps a plain node:http handler so probe paths are answered first (not needed when the server is attached). */
  requestListener(handler: (req: IncomingMessage, res: ServerResponse) => void): (req: IncomingMessage, res: ServerResponse) => void {
    const front = this.frontHandler();
    return (req, res) => {
      if (!front(req, res)) handler(req, res);
    };
  }

  /** Adds a cleanup hook run during drain, in reverse order of registration, with its own timeout. */
  onShutdown(name: string, fn: ShutdownHook, options?: ShutdownHookOptions): Disposer {
    return this.hooks.add(name, fn, options);
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
   * Runs the drain pipeline once (later calls return the same promise): fail readiness → wait for the
   * load balancer while serving normally → stop accepting → wait for in-flight → hooks → flush → exit.
   * One deadline (`drain.timeoutMs`) bounds it all.
   */
  drain(reason = 'api', options: DrainCallOptions = {}): Promise<DrainResult> {
    this.drainPromise ??= this.runDrain(reason, options);
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

  private async runDrain(reason: string, call: DrainCallOptions): Promise<DrainResult> {
    const o = { ...this.options.drain, delayMs: call.delayMs ?? this.options.drain.delayMs };
    const t0 = performance.now();
    const deadline = t0 + o.timeoutMs;
    const remaining = (): number => deadline - performance.now();
    const deadlineAc = new AbortController();
    // ref'd on purpose: the process stays up until the pipeline has finished, even when a hook awaits nothing
    const deadlineTimer = setTimeout(() => deadlineAc.abort(new Error('drain deadline reached')), o.timeoutMs);
    const beforeDeadline = <T>(p: Promise<T>): Promise<boolean> =>
      Promise.race([p.then(() => true, () => true), abortPromise(deadlineAc.signal).then(() => false)]);

    this.lifecycle.transition('draining');
    this.logger.info({ reason, delayMs: o.delayMs, timeoutMs: o.timeoutMs, inflight: this.inflight }, `zerodown: drain started (${reason})`);
    this.events.emit('drain:start', reason);

    // 1. the load balancer stops routing here; meanwhile every request is served normally. With an
    //    adapter, wait for the deregistration AND the delay: load balancers keep routing for a few
    //    seconds after a target starts draining, and readiness has failed for the same time anyway.
    const delay = o.delayMs > 0 ? sleep(o.delayMs, deadlineAc.signal).catch(() => {}) : Promise.resolve();
    if (this.lb?.deregisterOnDrain && call.deregister !== false) {
      const lbDone = this.lb.adapter.deregister(this.lbContext(deadlineAc.signal, { bypassGuard: `the process exits after this drain (${reason}) regardless` })).catch((error: unknown) => {
        this.logger.error({ err: error }, 'zerodown: load-balancer deregistration failed; relying on the drain delay');
      });
      await beforeDeadline(Promise.all([lbDone, delay]));
    } else {
      await beforeDeadline(delay);
    }

    // 2. stop accepting; close idle keep-alive sockets; Connection: close on the rest
    const closed = Promise.all(this.trackers.map((t) => t.stop(call.idleGraceMs)));
    this.logger.info({ inflight: this.inflight, connections: this.connections }, 'zerodown: stopped accepting connections');

    // 3. wait for in-flight requests (and the servers to close) up to the deadline
    const drained = await beforeDeadline(Promise.all([this.inflightCounter.idle(), closed]));
    let cut = 0;
    let forced = false;
    if (!drained) {
      const inflight = this.inflight;
      forced = inflight > 0;
      for (const t of this.trackers) cut += t.destroyAll();
      if (forced) {
        this.logger.error({ cut, inflight }, `zerodown: drain deadline of ${o.timeoutMs} ms reached: destroyed ${cut} connection(s) with ${inflight} request(s) in flight`);
        this.events.emit('drain:forced', cut, inflight);
      }
    }

    // 4. cleanup hooks, reverse order, each with its own timeout, within the deadline
    const hooks = await this.hooks.run(remaining);

    // 5. flush alerts and telemetry
    await this.flush(o.flushTimeoutMs);

    clearTimeout(deadlineTimer);
    this.lifecycle.transition('stopped');
    this.health.stop();
    this.removeSignals();
    const result: DrainResult = { reason, forced, cut, hooks, durationMs: Math.round(performance.now() - t0), exitCode: forced ? 1 : 0 };
    this.logger.info({ ...result, hooks: undefined }, `zerodown: drain finished in ${result.durationMs} ms, exit code ${result.exitCode}`);
    this.control?.close();
    this.events.emit('drain:end', result);
    if (o.exit) this.options.exit(result.exitCode);
    return result;
  }

  private async flush(timeoutMs: number): Promise<void> {
    if (this.flushers.size === 0) return;
    const r = await withTimeout((signal) => Promise.allSettled([...this.flushers.values()].map((f) => f(signal))), Math.max(1, timeoutMs));
    if (!r.ok) this.logger.warn({ timeoutMs }, 'zerodown: flush did not finish in time');
  }

  private installSignal(sig: NodeJS.Signals): void {
    const handler = (): void => {
      if (this.drainPromise) {
        const code = 128 + (osConstants.signals[sig] ?? 15);
        this.logger.error({ signal: sig, inflight: this.inflight }, `zerodown: second ${sig}: exiting now with ${this.inflight} request(s) in flight`);
        this.options.exit(code);
        return;
      }
      void this.drain(sig);
    };
    this.signalHandlers.set(sig, handler);
    process.on(sig, handler);
  }

  private removeSignals(): void {
    for (const [sig, handler] of this.signalHandlers) process.removeListener(sig, handler);
    this.signalHandlers.clear();
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

function abortPromise(signal: AbortSignal): Promise<void> {
  if (signal.aborted) return Promise.resolve();
  return new Promise((resolve) => signal.addEventListener('abort', () => resolve(), { once: true }));
}

/** Creates the process's zerodown instance. Invalid options throw a `ZerodownConfigError` naming the field. */
export function zerodown(options?: ZerodownOptions): Zerodown {
  return new Zerodown(options);
}

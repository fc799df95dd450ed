import cluster from 'node:cluster';
import { constants as osConstants } from 'node:os';
import { join } from 'node:path';
import { Zerodown } from '../zerodown';
import { startControlChannel, type ControlChannel } from '../control/channel';
import { controlSocketDirs, controlSocketName } from '../control/paths';
import { sleep } from '../util/time';
import { SIGNAL_DEBOUNCE_MS, SignalRules } from '../drain/signals';
import { MasterStateError, ReloadBusyError, ReloadFailedError } from './errors';
import { masterControlHandler } from './master-control';
import { resolveMasterOptions, type MasterOptions, type ResolvedMasterOptions } from './options';
import { describeRelease, resolveRelease, type Release } from './release';
import { runReload, type ReloadEvent, type ReloadResult } from './reload';
import { RespawnPolicy } from './respawn';
import { SUPERVISED_ENV } from './supervised';
import { HostAlertReporters } from './host-dedupe';
import { describeExit, WorkerHandle, type WorkerExit, type WorkerState } from './worker-handle';

/** One worker in {@link MasterStatus}. */
export interface MasterWorkerStatus {
  pid: number;
  release: Release;
  /** ISO time the worker was started. */
  startedAt: string;
  state: WorkerState;
  /** Requests in flight (null when the worker does not run zerodown or did not answer). */
  inflight: number | null;
  connections: number | null;
  usesZerodown: boolean;
}

/** `GET /status` on the master's control socket (`zerodown status`). */
export interface MasterStatus {
  kind: 'master';
  pid: number;
  service: string;
  /** `serving`, `reloading` or `stopping`. */
  state: 'starting' | 'serving' | 'reloading' | 'stopping';
  /** Workers the master keeps (N). */
  target: number;
  /** The release new and respawned workers run. */
  release: Release | undefined;
  workers: MasterWorkerStatus[];
  /** ISO start time of the running reload, if one runs. */
  reloadStartedAt: string | undefined;
  /** True once a crash loop made the master stop respawning. */
  respawnGaveUp: boolean;
  uptimeMs: number;
  socket: string | undefined;
}

/**
 * The `zerodown serve` master: owns the listening socket through node:cluster, runs N workers of the
 * app, replaces them one by one on reload (SIGHUP, SIGUSR2, `zerodown reload`), respawns crashed
 * workers with backoff (up to a bound), and on SIGTERM/SIGINT drains the host once, then every worker
 * in parallel under one deadline. `done` resolves with the exit code when it has stopped.
 */
export class Master {
  readonly options: ResolvedMasterOptions;
  /** The master's own zerodown instance: alerts, host drain timing, load-balancer adapter. */
  readonly zd: Zerodown;
  /** Resolves with the exit code once the master stopped (0: every worker drained). */
  readonly done: Promise<number>;
  private finish!: (code: number) => void;
  private readonly workers = new Set<WorkerHandle>();
  /** Which workers report which alert keys: one notification per host (see host-dedupe.ts). */
  private readonly alertReporters = new HostAlertReporters();
  private readonly probation = new Set<WorkerHandle>();
  private readonly respawn: RespawnPolicy;
  private readonly respawnTimers = new Set<NodeJS.Timeout>();
  private readonly signalHandlers = new Map<NodeJS.Signals, () => void>();
  private release: Release | undefined;
  private reloadStartedAt: string | undefined;
  private stopPromise: Promise<number> | undefined;
  private gaveUp = false;
  /** At least this exit code (1 after a crash loop left no worker). */
  private exitFloor = 0;
  private started = false;
  private control: ControlChannel | undefined;
  private readonly service: string;
  private readonly t0 = Date.now();

  constructor(options: MasterOptions) {
    this.options = resolveMasterOptions(options);
    if (!cluster.isPrimary) throw new MasterStateError('zerodown serve: the master must run in a primary process, not in a cluster worker');
    this.release = resolveRelease(this.options.entry, this.options.cwd);
    this.service = this.options.serviceName ?? this.release.name?.replace(/^@[^/]*\//, '') ?? 'app';
    this.zd = new Zerodown({
      serviceName: this.service,
      monitors: false,
      ...this.options.zerodown,
      control: { socket: false },
      drain: { ...this.options.zerodown?.drain, signals: false, exit: false },
      health: { eventLoopStallMs: 0, ...this.options.zerodown?.health },
    });
    if (this.options.loadBalancer) this.zd.useLoadBalancer(this.options.loadBalancer);
    this.respawn = new RespawnPolicy(this.options.respawn);
    this.done = new Promise((resolve) => (this.finish = resolve));
  }

  /** The control socket path, once started (undefined when turned off). */
  get socket(): string | undefined {
    return this.control?.path;
  }

  /**
   * Opens the control socket, installs the signal handlers, starts N workers and waits until each is
   * ready; then marks the host ready (load-balancer registration through the adapter). A worker that
   * is not ready in time stops everything and rejects with a {@link ReloadFailedError}.
   */
  async start(): Promise<void> {
    if (this.started) throw new MasterStateError('zerodown serve: the master was already started');
    this.started = true;
    if (this.options.controlSocket !== false) {
      const path = this.options.controlSocket ?? join(controlSocketDirs(this.options.env)[0]!, controlSocketName(this.service));
      this.control = startControlChannel(this.zd, { path, explicit: this.options.controlSocket !== undefined, handler: masterControlHandler(this) });
      try {
        await this.control.listening;
      } catch (error) {
        this.dispose();
        this.finish(1);
        throw error;
      }
    }
    if (this.options.signals) this.installSignals();
    const release = this.release!;
    this.zd.logger.info({ workers: this.options.workers, release, socket: this.socket }, `zerodown serve: starting ${this.options.workers} worker(s) of ${describeRelease(release)}`);
    const first = Array.from({ length: this.options.workers }, () => this.fork(release));
    const outcomes = await Promise.allSettled(first.map((w) => w.whenReady(this.options.readyTimeoutMs, 0)));
    const failed = outcomes.find((o): o is PromiseRejectedResult => o.status === 'rejected');
    if (failed) {
      const e = failed.reason as { reason?: string; stderr?: string[] };
      await this.stop('start failed');
      throw new ReloadFailedError(e.reason ?? String(failed.reason), `zerodown serve: ${e.reason ?? String(failed.reason)}`, e.stderr ?? []);
    }
    for (const w of first) this.adopt(w);
    // the host is ready: the master's own instance has no server, so no zd.ready() (it would warn about that)
    this.zd.lifecycle.transition('ready');
    if (this.options.loadBalancer) void this.zd.resume().catch((error: unknown) => this.zd.logger.error({ err: error }, 'zerodown serve: load-balancer registration failed'));
    this.zd.logger.info({ pids: first.map((w) => w.pid), socket: this.socket }, `zerodown serve: ${first.length} worker(s) ready (${first.map((w) => w.pid).join(', ')})`);
  }

  /** True while a reload runs. */
  get reloading(): boolean {
    return this.reloadStartedAt !== undefined;
  }

  /**
   * Replaces every worker with one running the code on disk now (see `runReload`). Rejects with a
   * {@link ReloadBusyError} while another reload runs, and with a {@link ReloadFailedError} (after an
   * alert) when the new release does not become ready.
   */
  async reload(progress: (e: ReloadEvent) => void = () => {}): Promise<ReloadResult> {
    if (this.stopPromise || !this.started) throw new MasterStateError(`cannot reload: the master is ${this.stopPromise ? 'stopping' : 'not started'}`);
    if (this.reloadStartedAt) throw new ReloadBusyError(this.reloadStartedAt);
    this.reloadStartedAt = new Date().toISOString();
    const log = (e: ReloadEvent): void => {
      this.zd.logger.info({ step: e.step, pid: e.pid, elapsedMs: e.elapsedMs }, `zerodown reload: ${e.message}`);
      progress(e);
    };
    let release: Release | undefined;
    try {
      release = resolveRelease(this.options.entry, this.options.cwd);
      const o = this.options;
      const result = await runReload(
        {
          workers: o.workers,
          surge: o.surge,
          readyTimeoutMs: o.readyTimeoutMs,
          minUptimeMs: o.minUptimeMs,
          workerDrainTimeoutMs: o.workerDrainTimeoutMs,
          alive: () => [...this.workers],
          fork: (r) => this.fork(r),
          adopt: (w) => this.adopt(w),
          stopping: () => this.stopPromise !== undefined,
        },
        release,
        log,
      );
      this.release = release;
      this.gaveUp = false;
      return result;
    } catch (error) {
      if (!this.stopPromise) {
        const reason = error instanceof ReloadFailedError ? error.reason : error instanceof Error ? error.message : String(error);
        this.zd.alerts.notify({
          key: 'application:reload-failed',
          scope: 'instance',
          level: 'error',
          source: 'application',
          title: `${this.service}: reload failed, the old workers keep serving: ${reason}`,
          details: { reason, release: release ? describeRelease(release) : undefined, stderr: error instanceof ReloadFailedError ? error.stderr.slice(-10) : [] },
        });
      }
      throw error;
    } finally {
      this.reloadStartedAt = undefined;
    }
  }

  /** Every worker with its release, state and in-flight requests. */
  async status(): Promise<MasterStatus> {
    const workers = await Promise.all(
      [...this.workers].map(async (w): Promise<MasterWorkerStatus> => {
        const s = await w.status(1000);
        return { pid: w.pid, release: w.release, startedAt: w.startedAt.toISOString(), state: w.state, inflight: s?.inflight ?? null, connections: s?.connections ?? null, usesZerodown: w.usesZerodown };
      }),
    );
    return {
      kind: 'master',
      pid: process.pid,
      service: this.service,
      state: this.stopPromise ? 'stopping' : this.reloadStartedAt ? 'reloading' : this.zd.state === 'ready' ? 'serving' : 'starting',
      target: this.options.workers,
      release: this.release,
      workers,
      reloadStartedAt: this.reloadStartedAt,
      respawnGaveUp: this.gaveUp,
      uptimeMs: Date.now() - this.t0,
      socket: this.socket,
    };
  }

  /**
   * Stops the host: fails readiness on every worker and deregisters once through the load-balancer
   * adapter (bypassing its min-healthy guard: the host goes away regardless), waits `drain.delayMs` while serving normally, then drains every worker in parallel under
   * the remaining `drain.timeoutMs`. Resolves with the exit code: 0 when every worker drained, 1 otherwise.
   */
  stop(reason = 'stop'): Promise<number> {
    this.stopPromise ??= this.runStop(reason);
    return this.stopPromise;
  }

  private async runStop(reason: string): Promise<number> {
    for (const t of this.respawnTimers) clearTimeout(t);
    this.respawnTimers.clear();
    const d = this.zd.options.drain;
    const t0 = performance.now();
    const remaining = (): number => Math.max(1, d.timeoutMs - (performance.now() - t0));
    this.zd.logger.info({ reason, workers: this.workers.size, delayMs: d.delayMs, timeoutMs: d.timeoutMs }, `zerodown serve: stopping (${reason}): host drain`);
    for (const w of this.workers) w.suspend(reason);
    const hostDrain = Promise.all([
      this.zd.suspend(reason, { timeoutMs: d.timeoutMs, force: true }).catch((error: unknown) => this.zd.logger.error({ err: error }, 'zerodown serve: load-balancer deregistration failed; relying on the drain delay')),
      d.delayMs > 0 ? sleep(d.delayMs) : undefined,
    ]);
    await Promise.race([hostDrain, sleep(d.timeoutMs)]);
    const workers = [...this.workers];
    const exits = await Promise.all(workers.map((w) => w.drain(reason, remaining())));
    const failed = exits.map((e, i) => ({ e, w: workers[i]! })).filter(({ e }) => e.code !== 0);
    const code = Math.max(this.exitFloor, failed.length === 0 ? 0 : 1);
    if (failed.length) this.zd.logger.error({ failed: failed.map(({ w, e }) => ({ pid: w.pid, ...e })) }, `zerodown serve: ${failed.length} worker(s) did not drain cleanly: ${failed.map(({ w, e }) => `${w.pid} ${describeExit(e)}`).join(', ')}`);
    this.zd.logger.info({ code, durationMs: Math.round(performance.now() - t0) }, `zerodown serve: stopped, exit code ${code}`);
    await this.zd.alerts.flush(AbortSignal.timeout(Math.max(1, d.flushTimeoutMs))).catch(() => {});
    this.dispose();
    this.finish(code);
    return code;
  }

  private dispose(): void {
    for (const [sig, fn] of this.signalHandlers) process.removeListener(sig, fn);
    this.signalHandlers.clear();
    this.control?.close();
    this.zd.dispose();
  }

  private installSignals(): void {
    const reload = (sig: NodeJS.Signals) => (): void => {
      this.reload().catch((error: unknown) => this.zd.logger.error({ err: error, signal: sig }, `zerodown serve: ${sig} reload: ${error instanceof Error ? error.message : String(error)}`));
    };
    // the app's signal rules: the same delivery twice (to the process and its group) is one stop
    const rules = new SignalRules();
    const stop = (sig: NodeJS.Signals) => (): void => {
      const action = rules.decide(performance.now(), false);
      if (action === 'debounced') {
        this.zd.logger.warn({ signal: sig, debounceMs: SIGNAL_DEBOUNCE_MS }, `zerodown serve: ${sig} repeated within ${SIGNAL_DEBOUNCE_MS} ms of the first: ignored (the same delivery twice, e.g. to the process and its group)`);
        return;
      }
      if (action === 'force') {
        this.zd.logger.error({ signal: sig }, `zerodown serve: second ${sig}: killing ${this.workers.size} worker(s) now`);
        for (const w of this.workers) w.kill('SIGKILL');
        this.dispose();
        this.finish(128 + (osConstants.signals[sig] ?? 15));
        return;
      }
      void this.stop(sig);
    };
    for (const sig of ['SIGHUP', 'SIGUSR2'] as const) this.signalHandlers.set(sig, reload(sig));
    for (const sig of ['SIGTERM', 'SIGINT'] as const) this.signalHandlers.set(sig, stop(sig));
    for (const [sig, fn] of this.signalHandlers) process.on(sig, fn);
  }

  private fork(release: Release): WorkerHandle {
    cluster.setupPrimary({ exec: release.entry, args: this.options.args, cwd: release.cwd, silent: true } as Parameters<typeof cluster.setupPrimary>[0]);
    const env: Record<string, string | undefined> = { ...this.options.env, [SUPERVISED_ENV]: '1', ZERODOWN_CONTROL_SOCKET: 'off' };
    if (this.options.port !== undefined) env.PORT = String(this.options.port);
    if (this.options.host !== undefined) env.HOST = this.options.host;
    const w = new WorkerHandle(cluster.fork(env), release, this.options.output, this.alertReporters);
    this.workers.add(w);
    this.probation.add(w);
    void w.exited.then((exit) => this.onExit(w, exit));
    return w;
  }

  private adopt(w: WorkerHandle): void {
    this.probation.delete(w);
  }

  private onExit(w: WorkerHandle, exit: WorkerExit): void {
    this.workers.delete(w);
    const onProbation = this.probation.delete(w);
    if (w.planned || onProbation || this.stopPromise) return;
    const delay = this.respawn.next();
    if (delay === undefined) {
      this.gaveUp = true;
      const serving = [...this.workers].filter((x) => x.state === 'ready').length;
      const message = `${this.service}: crash loop: worker ${w.pid} ${describeExit(exit)}, ${this.respawn.recent} crashes within ${this.options.respawn.windowMs} ms; stopped respawning, ${serving} worker(s) keep serving`;
      this.zd.logger.error({ pid: w.pid, ...exit, stderr: w.stderr().slice(-10) }, `zerodown serve: ${message}`);
      this.zd.alerts.notify({ key: 'application:crash-loop', scope: 'instance', level: 'critical', source: 'application', title: message, details: { pid: w.pid, ...exit, stderr: w.stderr().slice(-10), serving } });
      if (this.workers.size === 0) {
        this.exitFloor = 1;
        void this.stop('crash loop: no worker left');
      }
      return;
    }
    this.zd.logger.error({ pid: w.pid, ...exit, respawnInMs: delay, stderr: w.stderr().slice(-5) }, `zerodown serve: worker ${w.pid} ${describeExit(exit)}; respawning in ${delay} ms`);
    const t = setTimeout(() => {
      this.respawnTimers.delete(t);
      if (this.stopPromise) return;
      const n = this.fork(w.release);
      this.adopt(n); // its exit, before or after ready, counts as a crash
      n.whenReady(this.options.readyTimeoutMs, 0).then(
        () => this.zd.logger.info({ pid: n.pid }, `zerodown serve: respawned worker ${n.pid} is ready`),
        () => n.kill('SIGKILL'),
      );
    }, delay);
    this.respawnTimers.add(t);
  }
}

/** Creates a {@link Master} (`zerodown serve`); call `start()` on it. Invalid options throw a `ZerodownConfigError`. */
export function createMaster(options: MasterOptions): Master {
  return new Master(options);
}

import type { LoadBalancerAdapter, LoadBalancerContext } from '../lb/adapter';
import type { Lifecycle } from '../lifecycle/state';
import type { Logger } from '../logger';
import { Deadline } from '../util/deadline';
import type { Emitter } from '../util/emitter';
import { sleep, withTimeout } from '../util/time';
import type { HookReport, ShutdownHooks } from './hooks';
import type { InflightCounter } from './inflight';
import type { Runtime } from './runtime';
import type { ClosedSocket, ServerTracker } from './server-tracker';
import type { UpgradeClosers } from './upgrades';

/** What a drain did. */
export interface DrainResult {
  reason: string;
  /** True when the request deadline (`drain.timeoutMs`) was reached: whatever was left was cut. */
  forced: boolean;
  /** Connections cut at the deadline. */
  cut: number;
  /** What was cut at the deadline (kind, and `METHOD path` for requests). */
  cutDetails: ClosedSocket[];
  hooks: HookReport[];
  durationMs: number;
  /** 0 when everything drained; 1 when the deadline was reached or the drain followed a crash. */
  exitCode: number;
}

/** Events of a zerodown instance. */
export type ZerodownEvents = {
  'drain:start': [reason: string];
  /** The deadline passed with `cut` connections still open. */
  'drain:forced': [cut: number, inflight: number];
  /** A shutdown hook failed or timed out (the alerts wiring raises an application alert). */
  'drain:hook-failed': [report: HookReport, error: unknown];
  'drain:end': [result: DrainResult];
};

/** A flush step run at the end of a drain (alerts, telemetry). */
export type Flusher = (signal: AbortSignal) => Promise<void> | void;

/** What the pipeline uses from the zerodown instance. */
export interface DrainHost {
  readonly options: { delayMs: number; timeoutMs: number; hookBudgetMs: number; flushTimeoutMs: number; exit: boolean };
  readonly logger: Logger;
  readonly runtime: Runtime;
  readonly lifecycle: Lifecycle;
  readonly events: Emitter<ZerodownEvents>;
  readonly trackers: readonly ServerTracker[];
  readonly inflightCounter: InflightCounter;
  readonly hooks: ShutdownHooks;
  readonly flushers: ReadonlyMap<string, Flusher>;
  readonly upgrades: UpgradeClosers;
  readonly lb: { adapter: LoadBalancerAdapter; deregisterOnDrain: boolean } | undefined;
  readonly inflight: number;
  readonly connections: number;
  lbContext(signal: AbortSignal, extra?: Pick<LoadBalancerContext, 'bypassGuard'>): LoadBalancerContext;
  /** Stops background work and closes the control channel (the last step). */
  stopped(): void;
}

/** The state of one drain, passed from step to step. */
export class DrainRun {
  /** One deadline for the request phase (load balancer, stop, in-flight), on the runtime's ref'd timers. */
  readonly deadline: Deadline;
  readonly t0: number;
  /** Set when the drain follows a crash, or one happens during the drain (up to the exit): the exit code is then 1. */
  crash: boolean;
  closed: Promise<unknown> = Promise.resolve();
  drained = false;
  cut: ClosedSocket[] = [];
  hooks: HookReport[] = [];
  exitCode: number | undefined;

  constructor(
    readonly host: DrainHost,
    readonly reason: string,
    readonly delayMs: number,
    crash: boolean,
    /** Deregister through the load-balancer adapter (false under `zerodown serve`: the master owns it). */
    readonly deregister = true,
    /** Close idle keep-alive connections only once idle this long (0: at once); see `ServerTracker.stop`. */
    readonly idleGraceMs = 0,
  ) {
    this.crash = crash;
    this.t0 = host.runtime.now();
    this.deadline = new Deadline(host.options.timeoutMs, undefined, host.runtime, host.runtime);
  }
}

/** One named step of the drain. */
export interface DrainStep {
  name: string;
  run(d: DrainRun): Promise<void> | void;
}

/** The drain, top to bottom (ARCHITECTURE.md "The drain, step by step"). */
export const DRAIN_STEPS: readonly DrainStep[] = [
  { name: 'fail readiness', run: failReadiness },
  { name: 'load balancer', run: waitForLoadBalancer },
  { name: 'stop accepting', run: stopAccepting },
  { name: 'wait in-flight', run: waitInflight },
  { name: 'cut at deadline', run: cutAtDeadline },
  { name: 'cleanup hooks', run: runHooks },
  { name: 'exit code', run: decideExitCode },
  { name: 'flush', run: flush },
  { name: 'stopped', run: finish },
];

/** Runs every step in order; resolves with the result (after `exit` when `drain.exit` is on). */
export async function runDrain(d: DrainRun, steps: readonly DrainStep[] = DRAIN_STEPS): Promise<DrainResult> {
  for (const step of steps) await step.run(d);
  return result(d);
}

function result(d: DrainRun): DrainResult {
  return {
    reason: d.reason,
    forced: !d.drained,
    cut: d.cut.length,
    cutDetails: d.cut,
    hooks: d.hooks,
    durationMs: Math.round(d.host.runtime.now() - d.t0),
    // a crash during the hooks or the flush (after the exit code was decided) still exits 1
    exitCode: d.crash ? 1 : (d.exitCode ?? 1),
  };
}

function failReadiness(d: DrainRun): void {
  const { host } = d;
  host.lifecycle.transition('draining');
  const o = host.options;
  host.logger.info(
    { reason: d.reason, delayMs: d.delayMs, timeoutMs: o.timeoutMs, hookBudgetMs: o.hookBudgetMs, flushTimeoutMs: o.flushTimeoutMs, inflight: host.inflight },
    `zerodown: drain started (${d.reason})`,
  );
  host.events.emit('drain:start', d.reason);
}

/**
 * The load balancer stops routing here; meanwhile every request is served normally. With an adapter,
 * wait for the deregistration AND the delay: load balancers keep routing for a few seconds after a
 * target starts draining, and readiness has failed for the same time anyway.
 */
async function waitForLoadBalancer(d: DrainRun): Promise<void> {
  const { host, deadline } = d;
  const delay = d.delayMs > 0 ? sleep(d.delayMs, deadline.signal, host.runtime).catch(() => {}) : Promise.resolve();
  const lb = host.lb?.deregisterOnDrain && d.deregister
    ? host.lb.adapter.deregister(host.lbContext(deadline.signal, { bypassGuard: `the process exits after this drain (${d.reason}) regardless` })).catch((error: unknown) => {
        host.logger.error({ err: error }, 'zerodown: load-balancer deregistration failed; relying on the drain delay');
      })
    : undefined;
  await deadline.race(lb ? Promise.all([lb, delay]) : delay);
}

/** Stop accepting; `Connection: close` on responses in flight; HTTP/2 GOAWAY; upgraded sockets handed to their closers. */
function stopAccepting(d: DrainRun): void {
  const { host } = d;
  d.closed = Promise.all([...host.trackers.map((t) => t.stop(d.idleGraceMs)), host.upgrades.closeAll(host.runtime)]);
  host.logger.info({ inflight: host.inflight, connections: host.connections }, 'zerodown: stopped accepting connections');
}

/**
 * Wait until no request is in flight (a request whose body is still arriving and whose response has
 * not started does not count), close what is left open (idle and partial connections), then wait for
 * the servers to close — all within the deadline.
 */
async function waitInflight(d: DrainRun): Promise<void> {
  const { host, deadline } = d;
  const settled = (): boolean => host.inflightCounter.count - host.trackers.reduce((n, t) => n + t.partialRequests(), 0) <= 0;
  const stopWaiting = new AbortController();
  const inflightDone = await deadline.race(host.inflightCounter.until(settled, stopWaiting.signal));
  stopWaiting.abort();
  if (!inflightDone) return;
  // with an idle grace, the trackers close idle connections once idle that long; partial bodies go now
  const leftovers = host.trackers.flatMap((t) => t.closeLeftovers(d.idleGraceMs <= 0));
  const partial = leftovers.filter((c) => c.kind === 'partial request body');
  if (partial.length > 0) {
    host.logger.warn({ closed: partial }, `zerodown: no request in flight: closed ${partial.length} connection(s) whose request body was still arriving (${summarize(partial)})`);
  }
  if (leftovers.length > partial.length) {
    host.logger.info({ closed: leftovers.length - partial.length }, `zerodown: no request in flight: closed ${leftovers.length - partial.length} idle connection(s)`);
  }
  d.drained = await deadline.race(d.closed);
}

/** At the deadline: 503 + `Connection: close` where no response started, destroy everything else, say what it was. */
function cutAtDeadline(d: DrainRun): void {
  const { host, deadline } = d;
  deadline.dispose();
  if (d.drained) return;
  const inflight = host.inflight;
  d.cut = host.trackers.flatMap((t) => t.cutAll());
  host.logger.error(
    { cut: d.cut, inflight },
    `zerodown: drain deadline of ${host.options.timeoutMs} ms reached: cut ${d.cut.length} connection(s) with ${inflight} request(s) in flight${d.cut.length ? `: ${summarize(d.cut)}` : ''}`,
  );
  host.events.emit('drain:forced', d.cut.length, inflight);
}

/** Cleanup hooks: reverse order, each with its own timeout, within the hook budget; always run. */
async function runHooks(d: DrainRun): Promise<void> {
  const { host } = d;
  d.hooks = await host.hooks.run(host.options.hookBudgetMs, host.runtime, host.runtime, (report, error) => host.events.emit('drain:hook-failed', report, error));
}

/** The exit code is fixed before the flush (only a crash after it still makes it 1): 1 when the deadline was reached or after a crash, else 0. */
function decideExitCode(d: DrainRun): void {
  d.exitCode = !d.drained || d.crash ? 1 : 0;
}

/** Flush alerts and telemetry, bounded by `drain.flushTimeoutMs` on a ref'd timer. */
async function flush(d: DrainRun): Promise<void> {
  const { host } = d;
  if (host.flushers.size === 0) return;
  const timeoutMs = Math.max(1, host.options.flushTimeoutMs);
  // async: a flusher that throws synchronously neither skips the others nor ends the wait for them
  const flushers = [...host.flushers];
  const r = await withTimeout((signal) => Promise.allSettled(flushers.map(async ([, f]) => f(signal))), timeoutMs, host.runtime);
  if (!r.ok) host.logger.warn({ timeoutMs }, `zerodown: flush did not finish within ${timeoutMs} ms: abandoned`);
  else {
    r.value.forEach((o, i) => {
      if (o.status === 'rejected') host.logger.warn({ flusher: flushers[i]![0], err: o.reason }, `zerodown: flush step "${flushers[i]![0]}" failed`);
    });
  }
}

function finish(d: DrainRun): void {
  const { host } = d;
  host.lifecycle.transition('stopped');
  host.stopped();
  const r = result(d);
  host.logger.info({ ...r, hooks: undefined, cutDetails: undefined }, `zerodown: drain finished in ${r.durationMs} ms, exit code ${r.exitCode}${d.crash ? ' (after a crash)' : ''}`);
  host.events.emit('drain:end', r);
  if (host.options.exit) host.runtime.exit(r.exitCode);
}

function summarize(closed: readonly ClosedSocket[]): string {
  const counts = new Map<string, number>();
  for (const c of closed) {
    const label = c.request ? `${c.kind} ${c.request}${c.answered503 ? ' (answered 503)' : ''}` : c.kind;
    counts.set(label, (counts.get(label) ?? 0) + 1);
  }
  return [...counts].map(([label, n]) => (n > 1 ? `${n} × ${label}` : label)).join(', ');
}

import { hostname } from 'node:os';
import type { Logger } from '../logger';
import { Emitter, type Disposer } from '../util/emitter';
import { promiseOf } from '../util/promise-of';
import { onCallOf } from './on-call';
import { raceSignal } from './race';
import type { Alert, AlertCondition, AlertSink, AlertState, FlushOptions } from './types';

/**
 * Decides whether this instance sends a state change of a fleet- or host-scoped key (de-dup across the
 * fleet with Redis, or across the workers of `zerodown serve`); resolves true on any doubt. Never called
 * for instance-scoped keys.
 */
export type AlertDeduper = (key: string, state: AlertState) => Promise<boolean>;

/** The default instance id: `<hostname>:<pid>`. */
export function defaultInstanceId(): string {
  return `${hostname()}:${process.pid}`;
}

/** Settings of {@link AlertManager}. */
export interface AlertManagerSettings {
  /** Default debounce (ms): a condition fires only if still raised after this. */
  forMs: number;
  /** Notifications sent per minute at most (across keys); more are dropped and logged. */
  maxPerMinute: number;
  service: string | undefined;
  logger: Logger;
  /** This instance's stable id (instance-scoped keys end with `@<instanceId>`). Default `<hostname>:<pid>`. */
  instanceId?: string;
}

/** Events of the alert manager. */
export type AlertEvents = { alert: [alert: Alert] };

interface KeyState {
  /** The alert key (with `@<instanceId>` when instance-scoped). */
  key: string;
  cond: AlertCondition;
  timer: NodeJS.Timeout | undefined;
  /** A firing notification went out (or was attempted) for this episode. */
  fired: boolean;
  since: number;
}

/**
 * Turns raised/cleared conditions into firing/resolved notifications: debounced (`forMs`), resolved
 * automatically, rate-limited, de-duplicated across the fleet, fanned out to every sink in isolation.
 */
export class AlertManager {
  private readonly keys = new Map<string, KeyState>();
  private readonly sinks: AlertSink[] = [];
  private readonly inflight = new Set<Promise<void>>();
  private readonly sentAt: number[] = [];
  private readonly events: Emitter<AlertEvents>;
  private readonly host = hostname();
  private deduper: AlertDeduper | undefined;
  private disposed = false;
  /** This instance's id: shown on every alert and appended to instance-scoped keys. */
  readonly instanceId: string;

  constructor(private readonly settings: AlertManagerSettings) {
    this.events = new Emitter((error) => settings.logger.error({ err: error }, 'zerodown: alert listener threw'));
    this.instanceId = settings.instanceId ?? defaultInstanceId();
  }

  /** The alert key of a condition: `<key>@<instanceId>` when it is instance-scoped, `<key>@<hostname>` when host-scoped. */
  keyOf(cond: Pick<AlertCondition, 'key' | 'scope'>): string {
    if (cond.scope === 'instance') return `${cond.key}@${this.instanceId}`;
    return cond.scope === 'host' ? `${cond.key}@${this.host}` : cond.key;
  }

  /** Adds a sink; returns a disposer. */
  addSink(sink: AlertSink): Disposer {
    this.sinks.push(sink);
    return () => {
      const i = this.sinks.indexOf(sink);
      if (i !== -1) this.sinks.splice(i, 1);
    };
  }

  /** Names of the sinks in use. */
  sinkNames(): string[] {
    return this.sinks.map((s) => s.name);
  }

  /** Uses a deduper for fleet- and host-scoped keys: fleet mode (Redis), or the host's master under `zerodown serve`. */
  setDeduper(deduper: AlertDeduper | undefined): void {
    this.deduper = deduper;
  }

  /** The deduper in use, if any. */
  get currentDeduper(): AlertDeduper | undefined {
    return this.deduper;
  }

  /** Subscribes to every alert this instance sends. */
  on<K extends keyof AlertEvents>(event: K, fn: (...args: AlertEvents[K]) => void): Disposer {
    return this.events.on(event, fn);
  }

  /** Conditions currently raised (pending or firing). */
  active(): { key: string; firing: boolean; since: number; title: string }[] {
    return [...this.keys.values()].map((k) => ({ key: k.key, firing: k.fired, since: k.since, title: k.cond.title }));
  }

  /** Raises a condition: fires after `forMs` unless cleared first. Raising an active key updates its details. */
  raise(cond: AlertCondition): void {
    if (this.disposed) return;
    const key = this.keyOf(cond);
    const existing = this.keys.get(key);
    if (existing) {
      existing.cond = cond;
      return;
    }
    const st: KeyState = { key, cond, timer: undefined, fired: false, since: Date.now() };
    this.keys.set(key, st);
    const forMs = cond.forMs ?? this.settings.forMs;
    if (forMs <= 0) this.fire(st);
    else {
      st.timer = setTimeout(() => {
        st.timer = undefined;
        if (this.keys.get(key) === st) this.fire(st);
      }, forMs);
      st.timer.unref();
    }
  }

  /**
   * Clears a condition: resolves it if it fired, forgets it silently if it was still pending. `key` is the
   * condition's key as raised (an instance- or host-scoped one may be given with or without its `@` suffix).
   */
  clear(key: string, details?: Record<string, unknown>): void {
    const k = [key, `${key}@${this.instanceId}`, `${key}@${this.host}`].find((c) => this.keys.has(c));
    const st = k === undefined ? undefined : this.keys.get(k);
    if (k === undefined || !st) return;
    this.keys.delete(k);
    if (st.timer) clearTimeout(st.timer);
    if (st.fired) this.dispatch(st.key, { ...st.cond, details: { ...st.cond.details, ...details, durationMs: Date.now() - st.since } }, 'resolved');
  }

  /** Sends one notification at once, with no firing/resolved pairing (e.g. an uncaught exception). */
  notify(cond: AlertCondition, state: AlertState = 'firing'): void {
    this.dispatch(this.keyOf(cond), cond, state);
  }

  /**
   * Waits for dispatches in progress, then flushes every sink, until the signal fires. `final` (the end
   * of a drain) lets sinks stop their clients too (New Relic: `shutdown({ collectPendingData })`).
   */
  async flush(signal: AbortSignal, options: FlushOptions = {}): Promise<void> {
    await raceSignal(Promise.all(this.inflight), signal);
    await Promise.all(this.sinks.map((s) => (s.flush ? raceSignal(promiseOf(() => s.flush!(signal, options)), signal) : undefined)));
  }

  /** Stops timers and disposes the sinks. */
  dispose(): void {
    this.disposed = true;
    for (const st of this.keys.values()) if (st.timer) clearTimeout(st.timer);
    this.keys.clear();
    for (const s of this.sinks) {
      try {
        s.dispose?.();
      } catch {
        /* a sink's dispose never breaks shutdown */
      }
    }
    this.events.clear();
  }

  private fire(st: KeyState): void {
    st.fired = true;
    this.dispatch(st.key, st.cond, 'firing');
  }

  private dispatch(key: string, cond: AlertCondition, state: AlertState): void {
    const p = this.deliver(key, cond, state).catch((error: unknown) => this.settings.logger.error({ err: error }, 'zerodown: alert delivery failed'));
    this.inflight.add(p);
    void p.finally(() => this.inflight.delete(p));
  }

  private async deliver(key: string, cond: AlertCondition, state: AlertState): Promise<void> {
    const scope = cond.scope ?? 'fleet';
    if (this.deduper && scope !== 'instance') {
      let mine = true;
      try {
        mine = await this.deduper(key, state);
      } catch {
        mine = true;
      }
      if (!mine) {
        this.settings.logger.debug({ key, state }, state === 'firing' ? 'zerodown: alert already firing for the fleet' : 'zerodown: alert still reported by another instance (or already resolved)');
        return;
      }
    }
    if (!this.allow()) {
      this.settings.logger.warn({ key, state, maxPerMinute: this.settings.maxPerMinute }, 'zerodown: alert rate limit reached; alert dropped');
      return;
    }
    const alert: Alert = {
      key,
      scope,
      level: cond.level,
      source: cond.source,
      state,
      title: cond.title,
      details: scope === 'instance' ? { ...cond.details, instance: this.instanceId } : (cond.details ?? {}),
      service: this.settings.service,
      time: new Date().toISOString(),
      instance: this.instanceId,
      host: this.host,
      pid: process.pid,
      ...onCallOf(cond),
    };
    this.events.emit('alert', alert);
    await Promise.all(
      this.sinks.map((sink) =>
        promiseOf(() => sink.send(alert)).catch((error: unknown) =>
          this.settings.logger.warn({ err: error, sink: sink.name, key: alert.key }, `zerodown: alert sink "${sink.name}" failed`),
        ),
      ),
    );
  }

  private allow(): boolean {
    const now = Date.now();
    while (this.sentAt.length > 0 && now - this.sentAt[0]! > 60000) this.sentAt.shift();
    if (this.sentAt.length >= this.settings.maxPerMinute) return false;
    this.sentAt.push(now);
    return true;
  }
}

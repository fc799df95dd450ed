import type { EventEmitter } from 'node:events';
import CircuitBreaker from 'opossum';
import { BreakerOpenError } from './errors';
import { CallContext } from './call-context';
import type { BreakerAction, BreakerFallback, BreakerInfo, BreakerOptions, BreakerState, ResolvedBreakerDefaults } from './types';

/** Hooks a breaker reports to (the registry wires alerts, health and the fleet through them). */
export interface BreakerHooks {
  onState(breaker: Breaker, state: BreakerState, previous: BreakerState): void;
}

type AnyAction = (call: CallContext, ...args: unknown[]) => Promise<unknown>;

/**
 * One circuit breaker on opossum. Each call gets its own {@link CallContext}; opossum's `timeout`
 * event aborts only that call's signal (never a shared AbortController: opossum#780/#861).
 */
export class Breaker {
  readonly name: string;
  /** The opossum instance (advanced use; do not set `abortController` on it). */
  readonly circuit: CircuitBreaker<unknown[], unknown>;
  /** The wrapped function handed to the app. */
  readonly fire: (...args: unknown[]) => Promise<unknown>;
  readonly options: BreakerOptions<unknown[], unknown>;
  /** Time open before a probe (ms). */
  readonly resetTimeoutMs: number;
  /** Open because the fleet says so. */
  fleetOpen = false;
  /** Half-open but the fleet probe lease is not settled yet: fail fast. */
  holdProbe = false;
  private state: BreakerState = 'closed';
  private readonly fallbackFn: BreakerFallback<unknown[], unknown> | undefined;

  constructor(
    name: string,
    action: BreakerAction<unknown[], unknown>,
    options: BreakerOptions<unknown[], unknown>,
    defaults: ResolvedBreakerDefaults,
    rotate: EventEmitter,
    private readonly hooks: BreakerHooks,
  ) {
    this.name = name;
    this.options = options;
    const o = { ...defaults, ...stripUndefined(options) };
    this.resetTimeoutMs = o.resetTimeoutMs;
    this.circuit = new CircuitBreaker<unknown[], unknown>(action as AnyAction as (...args: unknown[]) => Promise<unknown>, {
      name,
      timeout: o.timeoutMs,
      errorThresholdPercentage: o.errorThresholdPercentage,
      volumeThreshold: o.volumeThreshold,
      resetTimeout: o.resetTimeoutMs,
      rollingCountTimeout: o.rollingCountTimeoutMs,
      rollingCountBuckets: o.rollingCountBuckets,
      rollingPercentilesEnabled: o.rollingPercentiles,
      enableSnapshots: o.snapshots,
      rotateBucketController: rotate,
      ...(options.errorFilter ? { errorFilter: options.errorFilter } : {}),
    });
    this.fallbackFn = options.fallback;
    if (this.fallbackFn) {
      const fb = this.fallbackFn;
      // opossum calls it with (call, ...args, error): hand the app (error, ...args)
      this.circuit.fallback((...all: unknown[]) => {
        const error = all.pop() as Error;
        all.shift();
        return fb(error, ...all);
      });
    }
    // opossum emits (error, latency, args) where args[0] is this call's own context
    (this.circuit as EventEmitter).on('timeout', (error: Error, _latency: number, args: unknown[]) => {
      (args[0] as CallContext).abort(error);
    });
    this.circuit.on('open', () => this.setState('open'));
    this.circuit.on('halfOpen', () => this.setState('half-open'));
    this.circuit.on('close', () => this.setState('closed'));
    const circuit = this.circuit;
    this.fire = (...args: unknown[]): Promise<unknown> => {
      if (this.holdProbe) return this.rejectFast(args);
      return circuit.fire(new CallContext(name), ...args);
    };
  }

  /** Current state. */
  get currentState(): BreakerState {
    return this.state;
  }

  /** State and rolling counts. */
  info(): BreakerInfo {
    const s = this.circuit.stats;
    return {
      name: this.name,
      state: this.state,
      counts: { fires: s.fires, successes: s.successes, failures: s.failures, timeouts: s.timeouts, rejects: s.rejects, fallbacks: s.fallbacks },
      fleetOpen: this.fleetOpen,
    };
  }

  /** Opens it (fleet share reached, or the probe lease went elsewhere). */
  open(): void {
    this.circuit.open();
  }

  /** Closes it (the fleet's probe succeeded). */
  close(): void {
    this.circuit.close();
  }

  /** Stops its timers and listeners. */
  shutdown(): void {
    this.circuit.shutdown();
  }

  private rejectFast(args: unknown[]): Promise<unknown> {
    const error = new BreakerOpenError(this.name);
    if (!this.fallbackFn) return Promise.reject(error);
    try {
      return Promise.resolve(this.fallbackFn(error, ...args));
    } catch (e) {
      return Promise.reject(e);
    }
  }

  private setState(state: BreakerState): void {
    const previous = this.state;
    if (previous === state) return;
    this.state = state;
    if (state === 'closed') this.fleetOpen = false;
    this.hooks.onState(this, state, previous);
  }
}

function stripUndefined<T extends object>(o: T): Partial<T> {
  const out: Partial<T> = {};
  for (const k of Object.keys(o) as (keyof T)[]) if (o[k] !== undefined) out[k] = o[k];
  return out;
}

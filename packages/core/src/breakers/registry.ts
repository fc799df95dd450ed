import { validate } from '../config/validate';
import { ZerodownConfigError } from '../errors';
import type { HealthRegistry } from '../health/registry';
import type { EventEmitter } from 'node:events';
import { Emitter, type Disposer } from '../util/emitter';
import type { CheckDefinition } from '../health/types';
import { Breaker, type BreakerHooks } from './breaker';
import type { CircuitSettings } from './circuit';
import { BucketRotation } from './rotation';
import type { BreakerAction, BreakerInfo, BreakerOptions, BreakerState, ResolvedBreakerDefaults } from './types';

/** Events of the breaker registry. */
export type BreakerEvents = {
  state: [name: string, state: BreakerState, previous: BreakerState, breaker: Breaker];
};

const NAME = /^[\w.\-/]{1,56}$/;

/**
 * Interval of a breaker's `/health` check (ms). The check is refreshed on every state change, so the
 * periodic run is only a safety net: 1,000 breakers cost ~17 runs/s instead of 200 with a 5 s interval.
 */
export const BREAKER_CHECK_INTERVAL_MS = 60000;

/** Prefix of the `/health` check name of a breaker (`breaker.<name>`). */
export const BREAKER_CHECK_PREFIX = 'breaker.';

/**
 * Every breaker of the process: `wrap` makes one, `list` reports them. Each breaker is a non-critical
 * `/health` check (`warn` while open or half-open), computed from its state in constant time.
 */
export class BreakerRegistry {
  private readonly breakers = new Map<string, Breaker>();
  private readonly events: Emitter<BreakerEvents>;
  /** The shared bucket timers also reclaim the opossum instance of breakers idle for a full window. */
  private readonly rotation = new BucketRotation((emitter) => this.sweep(emitter));
  /** opossum options per distinct setting (breakers without an `errorFilter` share them). */
  private readonly settings = new Map<string, CircuitSettings>();
  /** One hooks object for every breaker. */
  private readonly hooks: BreakerHooks = { onState: (b, state, previous) => this.onState(b, state, previous) };

  constructor(
    private readonly defaults: ResolvedBreakerDefaults,
    private readonly health: HealthRegistry | undefined,
    onListenerError: (error: unknown) => void,
  ) {
    this.events = new Emitter(onListenerError);
  }

  /**
   * Wraps `fn` in a breaker named `name` and returns a function taking the same arguments (without the
   * leading {@link BreakerCall}). Each call gets its own AbortSignal, aborted only when that call times out.
   *
   * ```ts
   * const charge = zd.breakers.wrap('payments', ({ signal }, order: Order) => pay(order, { signal }), { fallback: () => queued });
   * await charge(order);
   * ```
   */
  wrap<A extends unknown[], R>(name: string, fn: BreakerAction<A, R>, options: BreakerOptions<A, R> = {}): (...args: A) => Promise<R> {
    if (typeof name !== 'string' || !NAME.test(name)) {
      throw new ZerodownConfigError('breakers.name', `zerodown: invalid breaker name ${JSON.stringify(name)}: expected 1-56 characters of letters, digits, "_", "-", "." or "/"`);
    }
    if (typeof fn !== 'function') {
      throw new ZerodownConfigError(`breakers.${name}`, `zerodown: invalid breaker "${name}": expected a function (call, ...args) => Promise, got ${typeof fn}`);
    }
    if (this.breakers.has(name)) {
      throw new ZerodownConfigError(`breakers.${name}`, `zerodown: a breaker named "${name}" already exists; wrap each third party once and share the returned function`);
    }
    // (zod and the schema load on the first wrap: a process without breakers never needs them)
    validate((require('./schema') as typeof import('./schema')).breakerOptionsSchema, options, `breakers.${name}`);
    const breaker = new Breaker(name, fn as BreakerAction<unknown[], unknown>, options as BreakerOptions<unknown[], unknown>, this.settingsFor(options as BreakerOptions<unknown[], unknown>), this.hooks);
    if (this.health && options.health !== false) {
      this.health.register(BREAKER_CHECK_PREFIX + name, breakerCheck(breaker), {
        critical: false,
        // event-driven: every state change refreshes it at once (onState); the slow interval is only a safety net
        intervalMs: BREAKER_CHECK_INTERVAL_MS,
        ...(options.owner ? { owner: options.owner } : {}),
        ...(options.runbookUrl ? { runbookUrl: options.runbookUrl } : {}),
      });
    }
    this.breakers.set(name, breaker);
    return breaker.fire as (...args: A) => Promise<R>;
  }

  /** Every breaker with its state and rolling counts. */
  list(): BreakerInfo[] {
    return [...this.breakers.values()].map((b) => b.info());
  }

  /** One breaker, or undefined. */
  get(name: string): Breaker | undefined {
    return this.breakers.get(name);
  }

  /** Every breaker object (fleet sync). */
  all(): Breaker[] {
    return [...this.breakers.values()];
  }

  /** Subscribes to state changes. */
  on<K extends keyof BreakerEvents>(event: K, fn: (...args: BreakerEvents[K]) => void): Disposer {
    return this.events.on(event, fn);
  }

  /** Removes one breaker (its timers and its health check). */
  remove(name: string): void {
    const b = this.breakers.get(name);
    if (!b) return;
    this.breakers.delete(name);
    if (this.health && b.options.health !== false) this.health.unregister(BREAKER_CHECK_PREFIX + name);
    b.shutdown();
  }

  /** Shuts every breaker down. */
  dispose(): void {
    for (const name of [...this.breakers.keys()]) this.remove(name);
    this.rotation.dispose();
    this.settings.clear();
    this.events.clear();
  }

  /** The opossum options of a breaker: shared by every breaker with the same settings and no `errorFilter`. */
  private settingsFor(options: BreakerOptions<unknown[], unknown>): CircuitSettings {
    const o = { ...this.defaults, ...definedOnly(options) };
    const key = `${o.timeoutMs}|${o.errorThresholdPercentage}|${o.volumeThreshold}|${o.resetTimeoutMs}|${o.rollingCountTimeoutMs}|${o.rollingCountBuckets}|${o.rollingPercentiles}|${o.snapshots}`;
    const shared = options.errorFilter ? undefined : this.settings.get(key);
    if (shared) return shared;
    const rotation = this.rotation.emitterFor(Math.max(1, Math.floor(o.rollingCountTimeoutMs / o.rollingCountBuckets)));
    const settings: CircuitSettings = {
      // opossum would otherwise make a random name per breaker; OwnedCircuit reports the breaker's own name
      name: 'zerodown',
      timeout: o.timeoutMs,
      errorThresholdPercentage: o.errorThresholdPercentage,
      volumeThreshold: o.volumeThreshold,
      resetTimeout: o.resetTimeoutMs,
      rollingCountTimeout: o.rollingCountTimeoutMs,
      rollingCountBuckets: o.rollingCountBuckets,
      rollingPercentilesEnabled: o.rollingPercentiles,
      enableSnapshots: o.snapshots,
      rotateBucketController: rotation,
      ...(options.errorFilter ? { errorFilter: options.errorFilter } : {}),
    };
    if (!options.errorFilter) this.settings.set(key, settings);
    return settings;
  }

  /** One tick of a shared bucket timer: each breaker on it may drop its idle opossum instance. */
  private sweep(rotation: EventEmitter): void {
    for (const b of this.breakers.values()) if (b.rotation === rotation) b.onRotate();
  }

  private onState(breaker: Breaker, state: BreakerState, previous: BreakerState): void {
    // refresh the cached /health result now: the check's own interval is long (BREAKER_CHECK_INTERVAL_MS)
    if (this.health && breaker.options.health !== false) void this.refreshCheck(breaker);
    this.events.emit('state', breaker.name, state, previous, breaker);
  }

  /** Refreshes a breaker's cached check; `runNow` runs it after the state change, so it shows the current state. */
  private async refreshCheck(breaker: Breaker): Promise<void> {
    await this.health!.runNow(BREAKER_CHECK_PREFIX + breaker.name);
  }
}

/** The non-critical `/health` check of a breaker (`warn` while open or half-open), computed from its state. */
function breakerCheck(breaker: Breaker): CheckDefinition {
  return {
    componentType: 'breaker',
    measurement: 'state',
    run: () => {
      const state = breaker.currentState;
      return state === 'closed'
        ? { status: 'pass', observedValue: state }
        : { status: 'warn', observedValue: state, output: `breaker "${breaker.name}" is ${state}${breaker.fleetOpen ? ' (fleet)' : ''}` };
    },
  };
}

function definedOnly<T extends object>(o: T): Partial<T> {
  const out: Partial<T> = {};
  for (const k of Object.keys(o) as (keyof T)[]) if (o[k] !== undefined) out[k] = o[k];
  return out;
}

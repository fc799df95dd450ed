import { ZerodownConfigError } from '../errors';
import type { HealthRegistry } from '../health/registry';
import { Emitter, type Disposer } from '../util/emitter';
import type { CheckDefinition } from '../health/types';
import { Breaker, type BreakerHooks } from './breaker';
import type { CircuitSettings } from './circuit';
import { BucketRotation } from './rotation';
import type { BreakerAction, BreakerDefaults, BreakerInfo, BreakerOptions, BreakerState, ResolvedBreakerDefaults } from './types';

/** Events of the breaker registry. */
export type BreakerEvents = {
  state: [name: string, state: BreakerState, previous: BreakerState, breaker: Breaker];
};

const NAME = /^[\w.\-/]{1,56}$/;

/** Prefix of the `/health` check name of a breaker (`breaker.<name>`). */
export const BREAKER_CHECK_PREFIX = 'breaker.';

/**
 * Every breaker of the process: `wrap` makes one, `list` reports them. Each breaker is a non-critical
 * `/health` check (`warn` while open or half-open), computed from its state in constant time.
 */
export class BreakerRegistry {
  private readonly breakers = new Map<string, Breaker>();
  private readonly events: Emitter<BreakerEvents>;
  private readonly rotation = new BucketRotation();
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
    validateOverrides(name, options);
    const breaker = new Breaker(name, fn as BreakerAction<unknown[], unknown>, options as BreakerOptions<unknown[], unknown>, this.settingsFor(options as BreakerOptions<unknown[], unknown>), this.hooks);
    if (this.health && options.health !== false) {
      this.health.register(BREAKER_CHECK_PREFIX + name, breakerCheck(breaker), {
        critical: false,
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
      rotateBucketController: this.rotation.emitterFor(Math.max(1, Math.floor(o.rollingCountTimeoutMs / o.rollingCountBuckets))),
      ...(options.errorFilter ? { errorFilter: options.errorFilter } : {}),
    };
    if (!options.errorFilter) this.settings.set(key, settings);
    return settings;
  }

  private onState(breaker: Breaker, state: BreakerState, previous: BreakerState): void {
    // refresh the cached /health result now instead of waiting for the check's interval
    if (this.health) void this.health.runNow(BREAKER_CHECK_PREFIX + breaker.name);
    this.events.emit('state', breaker.name, state, previous, breaker);
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

function validateOverrides(name: string, o: BreakerDefaults & { alertForMs?: number; fallback?: unknown }): void {
  const ints: [string, unknown, number, number][] = [
    ['timeoutMs', o.timeoutMs, 1, 2 ** 31 - 1],
    ['errorThresholdPercentage', o.errorThresholdPercentage, 1, 100],
    ['volumeThreshold', o.volumeThreshold, 0, 1e6],
    ['resetTimeoutMs', o.resetTimeoutMs, 1, 2 ** 31 - 1],
    ['rollingCountTimeoutMs', o.rollingCountTimeoutMs, 10, 2 ** 31 - 1],
    ['rollingCountBuckets', o.rollingCountBuckets, 1, 1000],
    ['alertForMs', o.alertForMs, 0, 2 ** 31 - 1],
  ];
  for (const [field, v, min, max] of ints) {
    if (v === undefined) continue;
    if (typeof v !== 'number' || !Number.isInteger(v) || v < min || v > max) {
      throw new ZerodownConfigError(`breakers.${name}.${field}`, `zerodown: invalid option "breakers.${name}.${field}": expected a whole number between ${min} and ${max}, got ${JSON.stringify(v)}`);
    }
  }
  if (o.fallback !== undefined && typeof o.fallback !== 'function') {
    throw new ZerodownConfigError(`breakers.${name}.fallback`, `zerodown: invalid option "breakers.${name}.fallback": expected a function (error, ...args), got ${typeof o.fallback}`);
  }
}

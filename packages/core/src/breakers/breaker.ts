import type CircuitBreaker from 'opossum';
import { promiseOf } from '../util/promise-of';
import { BreakerOpenError, translateBreakerError } from './errors';
import { CallContext, type CallOwner } from './call-context';
import type { OwnedCircuit, CircuitOwner, CircuitSettings } from './circuit';
import type { BreakerAction, BreakerInfo, BreakerOptions, BreakerState } from './types';

/** opossum (and the circuit built on it) loads on a breaker's first call: a process without breakers never holds it. */
const circuitCode = (): typeof import('./circuit') => require('./circuit') as typeof import('./circuit');

/** Hooks a breaker reports to (the registry wires alerts, health and the fleet through them; one object for all). */
export interface BreakerHooks {
  onState(breaker: Breaker, state: BreakerState, previous: BreakerState): void;
}

type Action = (...args: unknown[]) => Promise<unknown>;

const NO_COUNTS: Readonly<BreakerInfo['counts']> = Object.freeze({ fires: 0, successes: 0, failures: 0, timeouts: 0, rejects: 0, fallbacks: 0 });

/**
 * One circuit breaker on opossum. The opossum instance is made on the first call (or when the fleet opens
 * the breaker), so a registered breaker that is never called costs only this record. Each call gets its
 * own {@link CallContext}; opossum's `timeout` event aborts only that call's signal (never a shared
 * AbortController: opossum#780/#861).
 */
export class Breaker implements CircuitOwner, CallOwner {
  readonly name: string;
  /** The wrapped function handed to the app. */
  readonly fire: (...args: unknown[]) => Promise<unknown>;
  readonly options: BreakerOptions<unknown[], unknown>;
  /** Open because the fleet says so. */
  fleetOpen = false;
  /** Half-open but the fleet probe lease is not settled yet: fail fast. */
  holdProbe = false;
  private state: BreakerState = 'closed';
  private made: OwnedCircuit | undefined = undefined;
  private shut = false;
  /** The app read `circuit`: keep that instance for good (it may hold listeners on it). */
  private pinned = false;
  /** Bucket rotations seen with the instance closed and no call started or in flight. */
  private quiet = 0;

  constructor(
    name: string,
    private readonly action: BreakerAction<unknown[], unknown>,
    options: BreakerOptions<unknown[], unknown>,
    private readonly settings: CircuitSettings,
    private readonly hooks: BreakerHooks,
  ) {
    this.name = name;
    this.options = options;
    // with a fallback, opossum never rejects with its own errors (the fallback gets them): no mapping needed
    const translate = options.fallback
      ? undefined
      : (error: unknown): never => {
          throw translateBreakerError(name, circuitCode().timeoutOf(settings), error);
        };
    this.fire = (...args: unknown[]): Promise<unknown> => {
      if (this.holdProbe) return this.rejectFast(args);
      this.quiet = 0;
      const p = (this.made ?? this.make()).fire(new CallContext(this), ...args);
      return translate ? p.then(undefined, translate) : p;
    };
  }

  /**
   * The opossum instance (advanced use; made now if the breaker was never called). Its `options` object
   * is shared with other breakers of the same settings: do not mutate it, and never set `abortController`.
   */
  get circuit(): CircuitBreaker<unknown[], unknown> {
    this.pinned = true;
    return this.made ?? this.make();
  }

  /**
   * True while the opossum instance exists (first call, fleet open, or `circuit` read, until a closed
   * breaker idle for a full rolling window drops it: see {@link Breaker.onRotate}).
   */
  get active(): boolean {
    return this.made !== undefined;
  }

  /** @internal The shared bucket-rotation emitter of its window (the registry sweeps idle breakers on it). */
  get rotation(): unknown {
    return this.settings.rotateBucketController;
  }

  /** Time open before a probe (ms). */
  get resetTimeoutMs(): number {
    return this.settings.resetTimeout;
  }

  /** Current state. */
  get currentState(): BreakerState {
    return this.state;
  }

  /** State and rolling counts. */
  info(): BreakerInfo {
    const s = this.made?.stats ?? NO_COUNTS;
    const counts = { fires: s.fires, successes: s.successes, failures: s.failures, timeouts: s.timeouts, rejects: s.rejects, fallbacks: s.fallbacks };
    return { name: this.name, state: this.state, counts, fleetOpen: this.fleetOpen };
  }

  /** Opens it (fleet share reached, or the probe lease went elsewhere). */
  open(): void {
    (this.made ?? this.make()).open();
  }

  /** Closes it (the fleet's probe succeeded). */
  close(): void {
    this.made?.close();
  }

  /** Stops its timers and listeners; later calls are refused (opossum's `ESHUTDOWN`). */
  shutdown(): void {
    this.shut = true;
    this.made?.shutdown();
  }

  /** @internal opossum changed state (called by the shared listeners of {@link OwnedCircuit}). */
  onCircuitState(state: BreakerState): void {
    const previous = this.state;
    if (previous === state) return;
    this.state = state;
    if (state === 'closed') this.fleetOpen = false;
    this.hooks.onState(this, state, previous);
  }

  /**
   * @internal Called on each tick of the shared bucket rotation of this breaker's window. Once the opossum
   * instance has stayed closed (not fleet-held) with no call started or in flight for `rollingCountBuckets + 1`
   * ticks (at least one full window, so its counts are all zero), it is shut down (which removes every
   * listener, its rotation listener included) and dropped: the next call makes a fresh closed one, which is
   * the same breaker with an empty window. A breaker whose `circuit` the app read is never reclaimed.
   */
  onRotate(): void {
    const c = this.made;
    if (!c || this.pinned || this.shut) return;
    if (!c.closed || this.fleetOpen || this.holdProbe || this.state !== 'closed' || c.inFlight() > 0) {
      this.quiet = 0;
      return;
    }
    if (++this.quiet <= (this.settings.rollingCountBuckets ?? 10)) return;
    this.quiet = 0;
    this.made = undefined;
    c.shutdown();
  }

  /** @internal Runs the app's fallback with (error, ...args). */
  runFallback(error: Error, args: unknown[]): unknown {
    return this.options.fallback!(translateBreakerError(this.name, circuitCode().timeoutOf(this.settings), error) as Error, ...args);
  }

  private make(): OwnedCircuit {
    const circuit = new (circuitCode().OwnedCircuit)(this.action as Action, this.settings, this, this.options.fallback !== undefined);
    this.made = circuit;
    if (this.shut) circuit.shutdown();
    return circuit;
  }

  private rejectFast(args: unknown[]): Promise<unknown> {
    const error = new BreakerOpenError(this.name);
    const fallback = this.options.fallback;
    return fallback ? promiseOf(() => fallback(error, ...args)) : Promise.reject(error);
  }
}

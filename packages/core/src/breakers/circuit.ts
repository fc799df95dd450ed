import type { EventEmitter } from 'node:events';
import CircuitBreaker from 'opossum';
import type { CallContext } from './call-context';
import { translateBreakerError } from './errors';
import type { BreakerState } from './types';

/**
 * opossum options shared by every breaker with the same settings. opossum keeps the object it is given and
 * fills its defaults into it (the same values each time), so sharing it saves one ~25-field object per
 * breaker. Never mutate it.
 */
export type CircuitSettings = CircuitBreaker.Options<unknown[]> & { resetTimeout: number };

/** The call timeout (ms) of these settings (0: none). */
export function timeoutOf(settings: CircuitSettings): number {
  return typeof settings.timeout === 'number' ? settings.timeout : 0;
}

/** What an {@link OwnedCircuit} reports to: the zerodown breaker that made it. */
export interface CircuitOwner {
  readonly name: string;
  /** opossum changed state. */
  onCircuitState(state: BreakerState): void;
}

/**
 * opossum listeners that only count features zerodown never turns on (cache, coalescing, a capacity
 * semaphore): they never fire, so each breaker drops them (5 closures and their contexts).
 */
const UNUSED_EVENTS = ['cacheHit', 'cacheMiss', 'coalesceCacheHit', 'coalesceCacheMiss', 'semaphoreLocked'] as const;

// One function per event for every breaker (opossum calls listeners with `this` = the circuit), instead of
// one closure per breaker and event.
function onOpen(this: OwnedCircuit): void {
  this.owner.onCircuitState('open');
}
function onHalfOpen(this: OwnedCircuit): void {
  this.owner.onCircuitState('half-open');
}
function onClose(this: OwnedCircuit): void {
  this.owner.onCircuitState('closed');
}
/**
 * opossum emits `timeout` with (error, latency, args); args[0] is the timed-out call's own context. Its
 * signal is aborted with a {@link BreakerTimeoutError} (opossum's `ETIMEDOUT` error as `cause`).
 */
function abortTimedOutCall(this: OwnedCircuit, error: Error, _latency: number, args: unknown[]): void {
  (args[0] as CallContext).abort(translateBreakerError(this.owner.name, this.timeoutMs, error));
}
/** opossum calls the fallback with (call, ...args, error): hand the app's fallback (error, ...args). */
function runFallback(...all: unknown[]): unknown {
  const error = all.pop() as Error;
  const call = all.shift() as CallContext;
  return call.fallback(error, all);
}

/**
 * The opossum breaker behind one zerodown breaker, made on its first call. `name` and `group` report the
 * zerodown name even though the opossum options are shared.
 */
export class OwnedCircuit extends CircuitBreaker<unknown[], unknown> {
  /** The call timeout (ms). */
  readonly timeoutMs: number;

  constructor(
    action: (...args: unknown[]) => Promise<unknown>,
    settings: CircuitSettings,
    readonly owner: CircuitOwner,
    withFallback: boolean,
  ) {
    super(action, settings);
    this.timeoutMs = timeoutOf(settings);
    for (const event of UNUSED_EVENTS) this.removeAllListeners(event);
    // @types/opossum types `timeout` listeners without the call's args, which opossum does pass
    const events = this as EventEmitter;
    events.on('timeout', abortTimedOutCall);
    events.on('open', onOpen);
    events.on('halfOpen', onHalfOpen);
    events.on('close', onClose);
    if (withFallback) this.fallback(runFallback);
  }

  /**
   * Calls whose outcome opossum has not recorded yet (taken from its semaphore, whose capacity is
   * unlimited by default). A call that timed out counts as settled: opossum ignores its late result.
   */
  inFlight(): number {
    const internals = this as unknown as { semaphore?: { count?: unknown }; options?: { capacity?: unknown } };
    const sem = internals.semaphore;
    const capacity = internals.options?.capacity;
    // unknown opossum internals: report busy so the instance is kept
    if (typeof sem?.count !== 'number' || typeof capacity !== 'number') return 1;
    return capacity - sem.count;
  }
}

// opossum declares `name`/`group` as read-only properties backed by getters: report the owner's name.
for (const key of ['name', 'group'] as const) {
  Object.defineProperty(OwnedCircuit.prototype, key, {
    configurable: true,
    get(this: OwnedCircuit): string {
      return this.owner.name;
    },
  });
}

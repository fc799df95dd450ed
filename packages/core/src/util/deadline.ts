import { backgroundTimers, systemClock, type Clock, type Timers } from './time';

/**
 * A time budget: a signal that aborts at `timeoutMs` (or when the caller's signal aborts, or on
 * {@link cancel}), with elapsed/remaining time read from an injectable clock. Used by the drain (one
 * deadline for the request phase, on the runtime's ref'd timers) and by every load-balancer operation.
 */
export class Deadline {
  readonly signal: AbortSignal;
  readonly deadlineMs: number;
  private readonly started: number;
  private readonly timer = new AbortController();
  private readonly handle: unknown;
  private readonly cancelled = new AbortController();

  constructor(
    timeoutMs: number,
    callerSignal: AbortSignal | undefined,
    private readonly clock: Clock = systemClock,
    private readonly timers: Timers = backgroundTimers,
  ) {
    this.deadlineMs = timeoutMs;
    this.started = clock.now();
    this.handle = timers.setTimeout(() => this.timer.abort(new Error(`deadline of ${timeoutMs} ms reached`)), timeoutMs);
    this.signal = AbortSignal.any(callerSignal ? [callerSignal, this.timer.signal, this.cancelled.signal] : [this.timer.signal, this.cancelled.signal]);
  }

  /** True once the time ran out (not merely cancelled). */
  get expired(): boolean {
    return this.timer.signal.aborted;
  }

  /** Milliseconds since the deadline started. */
  elapsed(): number {
    return Math.round(this.clock.now() - this.started);
  }

  /** Milliseconds left (≤ 0 once expired). */
  remaining(): number {
    return this.deadlineMs - (this.clock.now() - this.started);
  }

  /**
   * Resolves true when `p` settles (either way) before the deadline or a cancel, false otherwise.
   * Never rejects; the listener it adds is removed either way.
   */
  async race(p: Promise<unknown>): Promise<boolean> {
    if (this.signal.aborted) return false;
    let onAbort!: () => void;
    const aborted = new Promise<boolean>((resolve) => {
      onAbort = () => resolve(false);
      this.signal.addEventListener('abort', onAbort, { once: true });
    });
    try {
      return await Promise.race([p.then(() => true, () => true), aborted]);
    } finally {
      this.signal.removeEventListener('abort', onAbort);
    }
  }

  /** Stops every wait bound by this deadline (one part failed: the others need not go on). */
  cancel(reason: unknown): void {
    this.cancelled.abort(reason);
  }

  /** Stops the timer; call when the operation ends either way. */
  dispose(): void {
    this.timers.clearTimeout(this.handle);
  }
}

import { ZerodownError } from '../errors';
import { systemClock, type Clock } from '../util/time';
import { LoadBalancerError, LoadBalancerTimeoutError } from './errors';

/**
 * The time budget of one load-balancer operation: the caller's signal combined with `timeoutMs`,
 * plus what the timeout error needs (elapsed time, last state seen per group).
 */
export class Deadline {
  readonly signal: AbortSignal;
  readonly deadlineMs: number;
  private readonly started: number;
  private readonly timer: AbortController;
  private readonly handle: NodeJS.Timeout;
  readonly lastStates: Record<string, string> = {};
  /** Last transient error seen (retried), for the timeout message. */
  lastError: string | undefined;
  private readonly cancelled = new AbortController();

  constructor(
    timeoutMs: number,
    callerSignal: AbortSignal | undefined,
    private readonly clock: Clock = systemClock,
  ) {
    this.deadlineMs = timeoutMs;
    this.started = clock.now();
    this.timer = new AbortController();
    this.handle = setTimeout(() => this.timer.abort(new Error(`deadline of ${timeoutMs} ms reached`)), timeoutMs);
    this.handle.unref();
    this.signal = AbortSignal.any(callerSignal ? [callerSignal, this.timer.signal, this.cancelled.signal] : [this.timer.signal, this.cancelled.signal]);
  }

  /** Milliseconds since the operation started. */
  elapsed(): number {
    return Math.round(this.clock.now() - this.started);
  }

  /** Stops every wait of this operation (one part failed: the others need not go on). */
  cancel(reason: unknown): void {
    this.cancelled.abort(reason);
  }

  /** Stops the timer; call when the operation ends either way. */
  dispose(): void {
    clearTimeout(this.handle);
  }

  /** The error for an operation that ran out of time; `what` says what it was waiting for. */
  timeoutError(what: string, cause?: unknown): LoadBalancerTimeoutError {
    const states = Object.entries(this.lastStates)
      .map(([g, s]) => `${g}: ${s}`)
      .join('; ');
    const elapsed = this.elapsed();
    const why = this.timer.signal.aborted ? `the deadline of ${this.deadlineMs} ms was reached` : 'the caller aborted (its own deadline)';
    const lastError = this.lastError ? `; last error: ${this.lastError}` : '';
    return new LoadBalancerTimeoutError(`${what}: gave up after ${elapsed} ms, ${why}; last state seen: ${states || 'none (no answer yet)'}${lastError}`, { ...this.lastStates }, elapsed, { cause });
  }
}

/**
 * Runs `fn` under a new {@link Deadline} and disposes it: a {@link ZerodownError} passes through, a failure
 * after the deadline (or the caller) aborted becomes its timeout error, anything else a `LoadBalancerError`
 * reading `<what>: <describe(error)>`.
 */
export async function runWithDeadline<T>(
  what: string,
  timeoutMs: number,
  signal: AbortSignal | undefined,
  fn: (dl: Deadline) => Promise<T>,
  describe: (error: unknown) => string = (error) => (error as Error).message,
): Promise<T> {
  const dl = new Deadline(timeoutMs, signal);
  try {
    return await fn(dl);
  } catch (error) {
    if (error instanceof ZerodownError) throw error;
    if (dl.signal.aborted) throw dl.timeoutError(what, error);
    throw new LoadBalancerError(`${what}: ${describe(error)}`, { cause: error });
  } finally {
    dl.dispose();
  }
}

import { ZerodownError } from '../errors';
import { Deadline as BaseDeadline } from '../util/deadline';
import { systemClock, type Clock } from '../util/time';
import { LoadBalancerError, LoadBalancerTimeoutError } from './errors';

/**
 * The time budget of one load-balancer operation: the generic {@link BaseDeadline} (caller's signal
 * combined with `timeoutMs`) plus what the timeout error needs (last state seen per group, last error).
 */
export class Deadline extends BaseDeadline {
  readonly lastStates: Record<string, string> = {};
  /** Last transient error seen (retried), for the timeout message. */
  lastError: string | undefined;

  constructor(timeoutMs: number, callerSignal: AbortSignal | undefined, clock: Clock = systemClock) {
    super(timeoutMs, callerSignal, clock);
  }

  /** The error for an operation that ran out of time; `what` says what it was waiting for. */
  timeoutError(what: string, cause?: unknown): LoadBalancerTimeoutError {
    const states = Object.entries(this.lastStates)
      .map(([g, s]) => `${g}: ${s}`)
      .join('; ');
    const elapsed = this.elapsed();
    const why = this.expired ? `the deadline of ${this.deadlineMs} ms was reached` : 'the caller aborted (its own deadline)';
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

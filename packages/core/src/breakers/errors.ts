import type CircuitBreaker from 'opossum';
import { ZerodownError } from '../errors';

/**
 * A call was refused because the breaker is open (or half-open with its probe in flight, or another
 * instance holds the fleet's probe lease). `cause` is opossum's `EOPENBREAKER` error when opossum refused it.
 */
export class BreakerOpenError extends ZerodownError {
  readonly breaker: string;
  constructor(breaker: string, options?: { cause?: unknown }) {
    super('ZERODOWN_BREAKER_OPEN', `breaker "${breaker}" is open`, options);
    this.breaker = breaker;
  }
}

/** A call took longer than the breaker's `timeoutMs`; `cause` is opossum's `ETIMEDOUT` error. */
export class BreakerTimeoutError extends ZerodownError {
  readonly breaker: string;
  readonly timeoutMs: number;
  constructor(breaker: string, timeoutMs: number, options?: { cause?: unknown }) {
    super('ZERODOWN_BREAKER_TIMEOUT', `breaker "${breaker}": call timed out after ${timeoutMs} ms`, options);
    this.breaker = breaker;
    this.timeoutMs = timeoutMs;
  }
}

/**
 * Maps opossum's own errors to zerodown's (`EOPENBREAKER` → {@link BreakerOpenError}, `ETIMEDOUT` →
 * {@link BreakerTimeoutError}, the original kept as `cause`). Any other error, including an app error
 * that happens to carry the same code, is returned unchanged.
 */
export function translateBreakerError(breaker: string, timeoutMs: number, error: unknown): unknown {
  // (opossum is loaded by then: only a breaker's call gets here)
  if (!(error instanceof Error) || !(require('opossum') as typeof CircuitBreaker).isOurError(error)) return error;
  const code = (error as { code?: unknown }).code;
  if (code === 'EOPENBREAKER') return new BreakerOpenError(breaker, { cause: error });
  if (code === 'ETIMEDOUT') return new BreakerTimeoutError(breaker, timeoutMs, { cause: error });
  return error;
}

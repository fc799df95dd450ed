import type { BreakerCall } from './types';

/** What a call's context needs from its breaker. */
export interface CallOwner {
  readonly name: string;
  /** Runs the app's fallback with (error, ...args). */
  runFallback(error: Error, args: unknown[]): unknown;
}

/**
 * One call's context. The AbortController is made only when the function reads `signal`
 * (an AbortSignal costs microseconds), and it belongs to this call alone: a timeout aborts only it.
 */
export class CallContext implements BreakerCall {
  private ac: AbortController | undefined = undefined;
  private reason: unknown = undefined;
  private aborted = false;

  constructor(private readonly owner: CallOwner) {}

  /** The breaker's name. */
  get breaker(): string {
    return this.owner.name;
  }

  /** This call's signal. */
  get signal(): AbortSignal {
    if (this.ac === undefined) {
      this.ac = new AbortController();
      if (this.aborted) this.ac.abort(this.reason);
    }
    return this.ac.signal;
  }

  /** Aborts this call only. */
  abort(reason: unknown): void {
    if (this.aborted) return;
    this.aborted = true;
    this.reason = reason;
    this.ac?.abort(reason);
  }

  /** Answers this call with its breaker's fallback (opossum calls it through a shared function). */
  fallback(error: Error, args: unknown[]): unknown {
    return this.owner.runFallback(error, args);
  }
}

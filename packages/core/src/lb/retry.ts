import { sleep } from '../util/time';

/** Full-jitter exponential backoff settings. */
export interface RetryOptions {
  /** First backoff ceiling (ms). Default 200. */
  baseMs?: number;
  /** Largest backoff ceiling (ms). Default 10000. */
  capMs?: number;
  /** Attempts in all, including the first. Default 10. The deadline bounds them too. */
  maxAttempts?: number;
  /** Source of randomness in [0, 1); tests may fix it. Default `Math.random`. */
  random?: () => number;
}

/** Resolved retry settings. */
export const RETRY_DEFAULTS = { baseMs: 200, capMs: 10000, maxAttempts: 10 } as const;

/** Full jitter (AWS Architecture Blog, "Exponential Backoff And Jitter"): uniform in [0, min(cap, base·2^attempt)). */
export function fullJitter(attempt: number, baseMs: number, capMs: number, random: () => number = Math.random): number {
  return Math.floor(random() * Math.min(capMs, baseMs * 2 ** attempt));
}

/**
 * Runs `fn` until it succeeds, `isRetryable` says no, attempts run out or `signal` aborts
 * (then the signal's reason is thrown, with the last error as `cause` when there was one).
 */
export async function withRetry<T>(
  fn: (attempt: number) => Promise<T>,
  isRetryable: (error: unknown) => boolean,
  signal: AbortSignal,
  options: RetryOptions = {},
  onRetry?: (error: unknown, attempt: number, delayMs: number) => void,
): Promise<T> {
  const baseMs = options.baseMs ?? RETRY_DEFAULTS.baseMs;
  const capMs = options.capMs ?? RETRY_DEFAULTS.capMs;
  const maxAttempts = options.maxAttempts ?? RETRY_DEFAULTS.maxAttempts;
  for (let attempt = 0; ; attempt++) {
    if (signal.aborted) throw signal.reason;
    try {
      return await fn(attempt);
    } catch (error) {
      if (signal.aborted || attempt + 1 >= maxAttempts || !isRetryable(error)) throw error;
      const delay = fullJitter(attempt, baseMs, capMs, options.random);
      onRetry?.(error, attempt + 1, delay);
      await sleep(delay, signal);
    }
  }
}

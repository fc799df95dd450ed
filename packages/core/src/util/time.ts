import { promiseOf } from './promise-of';

/** Injectable clock and timers, so tests can drive time and process effects. */
export interface Clock {
  now(): number;
}

/** The real monotonic clock (ms). */
export const systemClock: Clock = { now: () => performance.now() };

/** Injectable timers. A handle is whatever `setTimeout` returned. */
export interface Timers {
  setTimeout(fn: () => void, ms: number): unknown;
  clearTimeout(handle: unknown): void;
}

/** The real timers, unref'd: they never hold the process open. */
export const backgroundTimers: Timers = {
  setTimeout: (fn, ms) => setTimeout(fn, ms).unref(),
  clearTimeout: (handle) => clearTimeout(handle as NodeJS.Timeout),
};

/** Resolves after `ms`, or rejects with the signal's reason when aborted. The default timers never hold the process open. */
export function sleep(ms: number, signal?: AbortSignal, timers: Timers = backgroundTimers): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) return reject(signal.reason);
    const t = timers.setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    function onAbort(): void {
      timers.clearTimeout(t);
      reject(signal!.reason);
    }
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}

/** Outcome of {@link withTimeout}. */
export type TimedResult<T> = { ok: true; value: T } | { ok: false; timedOut: true } | { ok: false; timedOut: false; error: unknown };

/**
 * Runs `fn` with an AbortSignal that fires after `ms`; resolves with the outcome, never rejects.
 * A function that ignores the signal is abandoned (not awaited) once the time is up. The timer comes
 * from `timers` (default: unref'd real timers; the drain passes its runtime's ref'd ones).
 */
export function withTimeout<T>(fn: (signal: AbortSignal) => Promise<T> | T, ms: number, timers: Timers = backgroundTimers): Promise<TimedResult<T>> {
  const ac = new AbortController();
  return new Promise<TimedResult<T>>((resolve) => {
    let settled = false;
    const t = timers.setTimeout(() => {
      if (settled) return;
      settled = true;
      ac.abort(new Error(`timed out after ${ms} ms`));
      resolve({ ok: false, timedOut: true });
    }, ms);
    promiseOf(() => fn(ac.signal)).then(
      (value) => {
        if (settled) return;
        settled = true;
        timers.clearTimeout(t);
        resolve({ ok: true, value });
      },
      (error: unknown) => {
        if (settled) return;
        settled = true;
        timers.clearTimeout(t);
        resolve({ ok: false, timedOut: false, error });
      },
    );
  });
}

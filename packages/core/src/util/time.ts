import { promiseOf } from './promise-of';

/** Injectable clock and timers, so tests can drive time and process effects. */
export interface Clock {
  now(): number;
}

/** The real monotonic clock (ms). */
export const systemClock: Clock = { now: () => performance.now() };

/** Resolves after `ms`, or rejects with the signal's reason when aborted. The timer never holds the process open. */
export function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) return reject(signal.reason);
    const t = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    t.unref();
    function onAbort(): void {
      clearTimeout(t);
      reject(signal!.reason);
    }
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}

/** Outcome of {@link withTimeout}. */
export type TimedResult<T> = { ok: true; value: T } | { ok: false; timedOut: true } | { ok: false; timedOut: false; error: unknown };

/**
 * Runs `fn` with an AbortSignal that fires after `ms`; resolves with the outcome, never rejects.
 * A function that ignores the signal is abandoned (not awaited) once the time is up.
 */
export function withTimeout<T>(fn: (signal: AbortSignal) => Promise<T> | T, ms: number): Promise<TimedResult<T>> {
  const ac = new AbortController();
  return new Promise<TimedResult<T>>((resolve) => {
    let settled = false;
    const t = setTimeout(() => {
      if (settled) return;
      settled = true;
      ac.abort(new Error(`timed out after ${ms} ms`));
      resolve({ ok: false, timedOut: true });
    }, ms);
    t.unref();
    promiseOf(() => fn(ac.signal)).then(
      (value) => {
        if (settled) return;
        settled = true;
        clearTimeout(t);
        resolve({ ok: true, value });
      },
      (error: unknown) => {
        if (settled) return;
        settled = true;
        clearTimeout(t);
        resolve({ ok: false, timedOut: false, error });
      },
    );
  });
}

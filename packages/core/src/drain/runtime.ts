import type { Clock, Timers } from '../util/time';

/**
 * The process effects the drain uses, in one object created at construction: a monotonic clock,
 * timers that keep the process alive while they are pending (a drain must not slip out early because
 * a hook or a sink awaits something that holds no handle), the signal source and the exit.
 * Tests pass their own (fake time, recorded exits); the default is the real process.
 */
export interface Runtime extends Clock, Timers {
  /** Calls `fn` on each delivery of `signal`; returns a function that removes the listener. */
  onSignal(signal: NodeJS.Signals, fn: () => void): () => void;
  /** Ends the process with `code`. */
  exit(code: number): void;
}

/** The real process: `performance.now()`, ref'd `setTimeout`, `process.on(signal)` and the given exit. */
export function processRuntime(exit: (code: number) => void): Runtime {
  return {
    now: () => performance.now(),
    setTimeout: (fn, ms) => setTimeout(fn, ms),
    clearTimeout: (handle) => clearTimeout(handle as NodeJS.Timeout),
    onSignal(signal, fn) {
      process.on(signal, fn);
      return () => process.removeListener(signal, fn);
    },
    exit,
  };
}

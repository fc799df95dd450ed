import type { AlertLevel, OnCallMeta } from '../alerts/types';

/** State of a breaker: closed (calls go through), open (fail fast), half-open (one probe call allowed). */
export type BreakerState = 'closed' | 'open' | 'half-open';

/** The per-call context a wrapped function receives first: its own AbortSignal, never shared with another call. */
export interface BreakerCall {
  /** Aborts when THIS call times out (created on first access, so functions that ignore it pay nothing). */
  readonly signal: AbortSignal;
  /** The breaker's name. */
  readonly breaker: string;
}

/** A function wrapped by a breaker: gets a {@link BreakerCall} first, then the caller's arguments. */
export type BreakerAction<A extends unknown[], R> = (call: BreakerCall, ...args: A) => Promise<R> | R;

/** Answers a call when the breaker is open, the call failed or it timed out. */
export type BreakerFallback<A extends unknown[], R> = (error: Error, ...args: A) => Promise<R> | R;

/** Breaker tuning shared by every breaker (the `breakers` option) and overridable per breaker. */
export interface BreakerDefaults {
  /** A call is failed (and its signal aborted) after this (ms). Default 3000. */
  timeoutMs?: number;
  /** Opens when this share of calls (%) in the rolling window failed. Default 50. */
  errorThresholdPercentage?: number;
  /** Minimum calls in the rolling window before it may open, so one failure never opens it. Default 5. */
  volumeThreshold?: number;
  /** Time open before one probe call is let through (ms). Default 30000. */
  resetTimeoutMs?: number;
  /** Length of the rolling statistics window (ms). Default 10000. */
  rollingCountTimeoutMs?: number;
  /**
   * Buckets in the rolling window. Default 2: the window advances in `rollingCountTimeoutMs / 2` steps, so
   * it covers the last 5-10 s by default rather than 9-10 s with opossum's 10; each bucket costs ~170 bytes
   * per active breaker. Raise it for a finer window.
   */
  rollingCountBuckets?: number;
  /** Keep latency percentiles (costs memory per call). Default false. */
  rollingPercentiles?: boolean;
  /** Emit opossum snapshots (one timer per breaker). Default false. */
  snapshots?: boolean;
}

/** Options of one breaker. */
export interface BreakerOptions<A extends unknown[], R> extends BreakerDefaults, OnCallMeta {
  /** Answer used instead of an error when open, failed or timed out. */
  fallback?: BreakerFallback<A, R>;
  /** Errors for which this returns true do not count as failures (e.g. 4xx). */
  errorFilter?: (error: unknown) => boolean;
  /** Alert level while open. Default `error`. */
  alertLevel?: AlertLevel;
  /** Raise an alert while open. Default true. */
  alert?: boolean;
  /**
   * Alert only if it stays open this long (ms). Default 0: a breaker opens only after `volumeThreshold`
   * calls with more than `errorThresholdPercentage`% failures in its window, which already filters blips.
   */
  alertForMs?: number;
  /** Register a non-critical `/health` check (`warn` while open). Default true. */
  health?: boolean;
}

/** A breaker as listed by `zd.breakers.list()`. */
export interface BreakerInfo {
  name: string;
  state: BreakerState;
  /** Counts in the current rolling window. */
  counts: { fires: number; successes: number; failures: number; timeouts: number; rejects: number; fallbacks: number };
  /** Open because the fleet says so (fleet mode). */
  fleetOpen: boolean;
}

/** Breaker defaults after resolution. */
export type ResolvedBreakerDefaults = Required<BreakerDefaults>;

/** Defaults fit for web calls. */
export const BREAKER_DEFAULTS: ResolvedBreakerDefaults = {
  timeoutMs: 3000,
  errorThresholdPercentage: 50,
  volumeThreshold: 5,
  resetTimeoutMs: 30000,
  rollingCountTimeoutMs: 10000,
  rollingCountBuckets: 2,
  rollingPercentiles: false,
  snapshots: false,
};

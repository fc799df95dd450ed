/** IETF health-check status values. */
export type HealthStatus = 'pass' | 'warn' | 'fail';

/** What a check function may return; returning nothing means `pass` with the duration as observed value. */
export interface CheckOutcome {
  status?: HealthStatus;
  observedValue?: number | string | boolean;
  observedUnit?: string;
  output?: string;
}

/** A check: gets an AbortSignal that fires at its timeout; throws or returns `{status:'fail'}` to fail. */
export type CheckFn = (signal: AbortSignal) => Promise<CheckOutcome | void> | CheckOutcome | void;

/** A check with its own reporting metadata (what the built-in checks return). */
export interface CheckDefinition {
  run: CheckFn;
  /** IETF `componentType`, e.g. `datastore`, `component`, `system`. */
  componentType?: string;
  /** The `measurement` part of the `name:measurement` key. Default `responseTime`. */
  measurement?: string;
  /** Called when the check is removed or zerodown stops (free timers, histograms). */
  dispose?: () => void;
}

/** Registration options of a check. */
export interface CheckOptions {
  /** Failing takes the instance out of rotation (`/readyz` 503). Default true. Non-critical failures only make `/health` `warn`. */
  critical?: boolean;
  /** Counts toward liveness (`/livez`) instead of readiness. Default false. */
  liveness?: boolean;
  /** A hung check is a failed check after this (ms). Default `health.timeoutMs`. */
  timeoutMs?: number;
  /** Refresh interval (ms); probes answer from the cache in between. Default `health.intervalMs`. */
  intervalMs?: number;
  componentType?: string;
  measurement?: string;
  /** On-call metadata carried by alerts about this check. */
  owner?: string;
  runbookUrl?: string;
}

/** The cached result of one check run. */
export interface CheckResult {
  status: HealthStatus;
  observedValue?: number | string | boolean;
  observedUnit?: string;
  output?: string;
  /** ISO time the run finished. */
  time: string;
  durationMs: number;
}

/** A registered check with its latest result, as listed by the registry. */
export interface CheckState {
  readonly name: string;
  readonly critical: boolean;
  readonly liveness: boolean;
  readonly componentType: string;
  readonly measurement: string;
  readonly intervalMs: number;
  readonly timeoutMs: number;
  readonly owner: string | undefined;
  readonly runbookUrl: string | undefined;
  /** Undefined until the first run finishes (a pending critical check counts as failing). */
  readonly result: CheckResult | undefined;
  /** Number of completed runs. */
  readonly runs: number;
}

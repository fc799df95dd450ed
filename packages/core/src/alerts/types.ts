/** How urgent an alert is. */
export type AlertLevel = 'critical' | 'error' | 'warning' | 'info';
/** Which layer raised it. */
export type AlertSource = 'server' | 'application' | 'third-party';
/** `firing` when the condition starts, `resolved` when it clears. */
export type AlertState = 'firing' | 'resolved';

/** On-call metadata carried by an alert, set per breaker, check or monitor. */
export interface OnCallMeta {
  /** Team or person who owns it. */
  owner?: string;
  /** What to do, for the on-call engineer. */
  runbookUrl?: string;
  /** The vendor's status page (third parties). */
  statusPageUrl?: string;
  /** Free-form severity for the paging tool (e.g. `SEV2`). */
  severity?: string;
}

/** One alert notification (a state change of one key). */
export interface Alert extends OnCallMeta {
  /** Stable identity, e.g. `third-party:breaker:payments`; also the Rollbar fingerprint and the fleet dedupe key. */
  key: string;
  level: AlertLevel;
  source: AlertSource;
  state: AlertState;
  title: string;
  details: Record<string, unknown>;
  service: string | undefined;
  /** ISO time of this state change. */
  time: string;
  /** The process that sent it. */
  host: string;
  pid: number;
}

/** What a source asks the manager to raise. */
export interface AlertCondition extends OnCallMeta {
  key: string;
  level: AlertLevel;
  source: AlertSource;
  title: string;
  details?: Record<string, unknown>;
  /** Fire only if still raised after this (ms). Default `alerts.forMs`. */
  forMs?: number;
}

/** A destination of alerts. `send` must not throw synchronously for long; failures are isolated and logged. */
export interface AlertSink {
  readonly name: string;
  send(alert: Alert): Promise<void> | void;
  /** Delivers what is queued; must respect the signal (it fires at the drain's flush deadline). */
  flush?(signal: AbortSignal): Promise<void> | void;
  dispose?(): void;
}

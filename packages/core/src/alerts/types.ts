/** How urgent an alert is. */
export type AlertLevel = 'critical' | 'error' | 'warning' | 'info';
/** Which layer raised it. */
export type AlertSource = 'server' | 'application' | 'third-party';
/** `firing` when the condition starts, `resolved` when it clears. */
export type AlertState = 'firing' | 'resolved';
/**
 * Who shares a condition. `instance`: this process's own (event-loop delay, heap, RSS, a forced drain, an
 * uncaught exception): the key gets `@<instanceId>` and is never de-duplicated. `host`: the machine's (CPU
 * busy, disk free): the key gets `@<hostname>`, and the processes of one host that report it send one
 * notification per state change (de-duplicated like `fleet` keys). `fleet`: a condition every instance
 * sees (a third party down, a shared dependency failing): one notification per state change for the
 * whole fleet, resolved only when the last instance reporting it recovers.
 */
export type AlertScope = 'instance' | 'host' | 'fleet';

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
  /**
   * Stable identity, e.g. `third-party:breaker:payments`, or `server:heapUsedPercent@<instanceId>` for an
   * instance-scoped condition; also the Rollbar fingerprint and the fleet de-dup key.
   */
  key: string;
  scope: AlertScope;
  level: AlertLevel;
  source: AlertSource;
  state: AlertState;
  title: string;
  details: Record<string, unknown>;
  service: string | undefined;
  /** ISO time of this state change. */
  time: string;
  /** The process that sent it: its instance id (`alerts.instanceId`, default `<hostname>:<pid>`), host name and pid. */
  instance: string;
  host: string;
  pid: number;
}

/** What a source asks the manager to raise. */
export interface AlertCondition extends OnCallMeta {
  /** Identity of the condition; an `instance`-scoped key gets `@<instanceId>` appended, a `host`-scoped one `@<hostname>`. */
  key: string;
  /** Default `fleet`. */
  scope?: AlertScope;
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
  flush?(signal: AbortSignal, options?: FlushOptions): Promise<void> | void;
  dispose?(): void;
}

/** Options of a flush: `final` is the flush at the end of a drain (the process exits next). */
export interface FlushOptions {
  final?: boolean;
}

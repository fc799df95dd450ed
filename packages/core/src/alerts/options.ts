import type { NewRelicLike } from './sinks/newrelic';
import type { RollbarLike } from './sinks/rollbar';
import type { WebhookSinkOptions } from './sinks/webhook';
import type { AlertSink } from './types';

/** The `alerts` option. */
export interface AlertOptions {
  /** Turn alerting off entirely. Default true. */
  enabled?: boolean;
  /** Default debounce (ms): a condition fires only if it still holds after this. Default 0 (breakers and monitors have their own thresholds). */
  forMs?: number;
  /** Notifications per minute at most; more are dropped and logged. Default 60. */
  maxPerMinute?: number;
  /** A configured `rollbar` instance; default: one made from `ROLLBAR_ACCESS_TOKEN`/`ROLLBAR_ENDPOINT` when set. `false` turns Rollbar off. */
  rollbar?: RollbarLike | false;
  /** The app's `newrelic` module (`require('newrelic')`). */
  newrelic?: NewRelicLike;
  /** JSON webhook(s) (Slack/PagerDuty/SMS gateway adapters). */
  webhook?: WebhookSinkOptions | WebhookSinkOptions[];
  /** Log each alert through zerodown's logger. Default true. */
  log?: boolean;
  /** Extra sinks. */
  sinks?: AlertSink[];
  /** Alert on health checks going fail/recover. Default true. */
  healthChecks?: boolean;
  /** Opt-in: report an uncaught exception / unhandled rejection, then drain gracefully. Default false. */
  processErrors?: boolean;
}

/** Alert options after defaults. */
export interface ResolvedAlertOptions {
  enabled: boolean;
  forMs: number;
  maxPerMinute: number;
  rollbar: RollbarLike | false | undefined;
  newrelic: NewRelicLike | undefined;
  webhooks: WebhookSinkOptions[];
  log: boolean;
  sinks: AlertSink[];
  healthChecks: boolean;
  processErrors: boolean;
  /** Where `ROLLBAR_ACCESS_TOKEN`/`ROLLBAR_ENDPOINT` are read from. */
  env: Record<string, string | undefined>;
}

/** Defaults of {@link AlertOptions}. */
export const ALERT_DEFAULTS = { enabled: true, forMs: 0, maxPerMinute: 60, log: true, healthChecks: true, processErrors: false } as const;

/** Applies defaults to the `alerts` option. */
export function resolveAlertOptions(o: AlertOptions | undefined, env: Record<string, string | undefined>): ResolvedAlertOptions {
  return {
    enabled: o?.enabled ?? ALERT_DEFAULTS.enabled,
    forMs: o?.forMs ?? ALERT_DEFAULTS.forMs,
    maxPerMinute: o?.maxPerMinute ?? ALERT_DEFAULTS.maxPerMinute,
    rollbar: o?.rollbar,
    newrelic: o?.newrelic,
    webhooks: o?.webhook === undefined ? [] : Array.isArray(o.webhook) ? o.webhook : [o.webhook],
    log: o?.log ?? ALERT_DEFAULTS.log,
    sinks: o?.sinks ?? [],
    healthChecks: o?.healthChecks ?? ALERT_DEFAULTS.healthChecks,
    processErrors: o?.processErrors ?? ALERT_DEFAULTS.processErrors,
    env,
  };
}

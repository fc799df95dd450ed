import { ZerodownConfigError } from '../errors';
import { describeValue } from '../config/validate';
import { isHttpUrl } from '../config/url';
import { defaultInstanceId } from './manager';
import type { NewRelicLike } from './sinks/newrelic';
import type { RollbarLike } from './sinks/rollbar';
import type { WebhookSinkOptions } from './sinks/webhook';
import type { AlertSink } from './types';

/** The `alerts` option. */
export interface AlertOptions {
  /** Turn alerting off entirely. Default true. */
  enabled?: boolean;
  /**
   * Debounce (ms) of application (health-check) and server alerts: a condition fires only if it still holds
   * after this, so a blip does not page. Default 10000. Breaker alerts use their own `alertForMs` (default 0:
   * opening already needs the volume and error thresholds over the rolling window).
   */
  forMs?: number;
  /**
   * This instance's stable id, shown on every alert and appended to instance-scoped keys
   * (`server:<metric>@<id>`, `application:drain-forced@<id>`); also the fleet's instance id.
   * Default `<hostname>:<pid>`.
   */
  instanceId?: string;
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
  instanceId: string;
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
export const ALERT_DEFAULTS = { enabled: true, forMs: 10000, maxPerMinute: 60, log: true, healthChecks: true, processErrors: false } as const;

/**
 * Applies defaults to the `alerts` option. A `ROLLBAR_ENDPOINT` that is not an http(s) URL, when a Rollbar
 * client would be made from the env, throws a {@link ZerodownConfigError} naming the variable (the value
 * without credentials or query string).
 */
export function resolveAlertOptions(o: AlertOptions | undefined, env: Record<string, string | undefined>): ResolvedAlertOptions {
  const endpoint = env.ROLLBAR_ENDPOINT;
  if (o?.rollbar === undefined && env.ROLLBAR_ACCESS_TOKEN && endpoint && !isHttpUrl(endpoint)) {
    throw new ZerodownConfigError('ROLLBAR_ENDPOINT', `zerodown: invalid environment variable ROLLBAR_ENDPOINT: expected an http(s) URL, got ${describeValue('ROLLBAR_ENDPOINT', endpoint)}`);
  }
  return {
    enabled: o?.enabled ?? ALERT_DEFAULTS.enabled,
    forMs: o?.forMs ?? ALERT_DEFAULTS.forMs,
    instanceId: o?.instanceId ?? defaultInstanceId(),
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

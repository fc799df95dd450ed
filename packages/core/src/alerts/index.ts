/**
 * `@zerodown/core/alerts`: the built-in alert sinks (to compose your own `alerts.sinks`) and the
 * types of `zd.alerts`. Configuring alerts needs only the root's `AlertOptions`.
 */
export type { AlertManager, AlertEvents } from './manager';
export { loggerSink } from './sinks/logger';
export { rollbarSink, type RollbarLike, type RollbarSinkOptions } from './sinks/rollbar';
export { newRelicSink, type NewRelicLike } from './sinks/newrelic';
export { webhookSink, type WebhookSinkOptions } from './sinks/webhook';
export type { AlertOptions } from './options';
export type { Alert, AlertCondition, AlertLevel, AlertScope, AlertSink, AlertSource, AlertState, FlushOptions, OnCallMeta } from './types';

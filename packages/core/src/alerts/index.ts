export { AlertManager, type AlertDeduper, type AlertEvents, type AlertManagerSettings } from './manager';
export { ALERT_DEFAULTS, resolveAlertOptions, type AlertOptions, type ResolvedAlertOptions } from './options';
export { createResilience, type Resilience, type ResilienceHost } from './wiring';
export { loggerSink } from './sinks/logger';
export { rollbarSink, type RollbarLike, type RollbarSinkOptions } from './sinks/rollbar';
export { newRelicSink, type NewRelicLike } from './sinks/newrelic';
export { webhookSink, type WebhookSinkOptions } from './sinks/webhook';
export type { Alert, AlertCondition, AlertLevel, AlertSink, AlertSource, AlertState, FlushOptions, OnCallMeta } from './types';

import type { Logger } from '../../logger';
import { raceSignal } from '../race';
import type { Alert, AlertSink } from '../types';

/** The subset of the `rollbar` SDK this sink uses. */
export interface RollbarLike {
  critical(message: string, extra?: object): unknown;
  error(message: string, extra?: object): unknown;
  warning(message: string, extra?: object): unknown;
  info(message: string, extra?: object): unknown;
  wait(callback: () => void): void;
}

/** Options of {@link rollbarSink}. */
export interface RollbarSinkOptions {
  /** A configured `rollbar` instance; when absent one is made from `ROLLBAR_ACCESS_TOKEN` (and `ROLLBAR_ENDPOINT`). */
  rollbar?: RollbarLike;
  env?: Record<string, string | undefined>;
  environment?: string;
  logger: Logger;
}

/**
 * Sends alerts to Rollbar with `fingerprint` = alert key so Rollbar groups firing and resolved items.
 * Returns undefined when there is neither an instance nor a token (or the SDK is not installed).
 */
export function rollbarSink(options: RollbarSinkOptions): AlertSink | undefined {
  let rollbar = options.rollbar;
  if (!rollbar) {
    const env = options.env ?? process.env;
    const accessToken = env.ROLLBAR_ACCESS_TOKEN;
    if (!accessToken) return undefined;
    try {
      // eslint-disable-next-line @typescript-eslint/no-require-imports
      const Rollbar = require('rollbar') as new (o: object) => RollbarLike;
      rollbar = new Rollbar({
        accessToken,
        ...(env.ROLLBAR_ENDPOINT ? { endpoint: env.ROLLBAR_ENDPOINT } : {}),
        environment: options.environment ?? env.ROLLBAR_ENVIRONMENT ?? env.NODE_ENV ?? 'production',
        captureUncaught: false,
        captureUnhandledRejections: false,
      });
    } catch (error) {
      options.logger.warn({ err: error, code: 'ZERODOWN_ALERT_SINK' }, 'zerodown: ROLLBAR_ACCESS_TOKEN is set but the "rollbar" package could not be loaded (install it with `npm install rollbar`); Rollbar alerts are off');
      return undefined;
    }
  }
  const r = rollbar;
  return {
    name: 'rollbar',
    send(alert: Alert) {
      const title = alert.state === 'resolved' ? `RESOLVED: ${alert.title}` : alert.title;
      const extra = { fingerprint: alert.key, title, zerodown: alert };
      if (alert.state === 'resolved') r.info(title, extra);
      else r[alert.level](title, extra);
    },
    flush(signal: AbortSignal) {
      return raceSignal(new Promise<void>((resolve) => r.wait(resolve)), signal);
    },
  };
}

import type { Logger } from '../../logger';
import type { Alert, AlertSink } from '../types';

/** Writes each alert as one structured log record (`error` for critical/error, `warn`, `info`). */
export function loggerSink(logger: Logger): AlertSink {
  return {
    name: 'logger',
    send(alert: Alert) {
      const method = alert.state === 'resolved' ? 'info' : alert.level === 'critical' || alert.level === 'error' ? 'error' : alert.level === 'warning' ? 'warn' : 'info';
      logger[method]({ alert }, `zerodown alert ${alert.state}: ${alert.title}`);
    },
  };
}

import type { Alert, AlertSink } from '../types';

/** The subset of the `newrelic` agent module this sink uses (the agent is a no-op stub when disabled). */
export interface NewRelicLike {
  recordCustomEvent(eventType: string, attributes: Record<string, string | number | boolean>): void;
  recordMetric(name: string, value: number): void;
  noticeError(error: Error, customAttributes?: Record<string, string | number | boolean>): void;
}

/** Sends alerts to New Relic: a `ZerodownAlert` custom event, a metric, and `noticeError` for firing critical/error alerts. */
export function newRelicSink(newrelic: NewRelicLike): AlertSink {
  return {
    name: 'newrelic',
    send(alert: Alert) {
      const attrs: Record<string, string | number | boolean> = {
        key: alert.key,
        level: alert.level,
        source: alert.source,
        state: alert.state,
        title: alert.title,
        instance: alert.instance,
        host: alert.host,
        pid: alert.pid,
      };
      for (const k of ['service', 'owner', 'runbookUrl', 'statusPageUrl', 'severity'] as const) {
        const v = alert[k];
        if (v !== undefined) attrs[k] = v;
      }
      newrelic.recordCustomEvent('ZerodownAlert', attrs);
      newrelic.recordMetric(`Custom/Zerodown/Alert/${alert.source}/${alert.level}/${alert.state}`, 1);
      if (alert.state === 'firing' && (alert.level === 'critical' || alert.level === 'error')) {
        newrelic.noticeError(new Error(alert.title), attrs);
      }
    },
  };
}

import { raceSignal } from '../race';
import type { Alert, AlertSink, FlushOptions } from '../types';

/** Options of the agent's `shutdown` (the subset this sink passes). */
export interface NewRelicShutdownOptions {
  /** Harvest everything the agent holds before it disconnects. */
  collectPendingData?: boolean;
}

/** The subset of the `newrelic` agent module this sink uses (the agent is a no-op stub when disabled). */
export interface NewRelicLike {
  recordCustomEvent(eventType: string, attributes: Record<string, string | number | boolean>): void;
  /** The agent prefixes `name` with `Custom/` itself. */
  recordMetric(name: string, value: number): void;
  noticeError(error: Error, customAttributes?: Record<string, string | number | boolean>, expected?: boolean): void;
  /** Present on the real agent and its disabled stub; the sink's `flush` uses it to deliver what the agent holds. */
  shutdown?(options: NewRelicShutdownOptions, callback: (error?: Error) => void): void;
}

/** The custom event type of every alert (also the error class of its `noticeError`). */
const NEW_RELIC_EVENT_TYPE = 'ZerodownAlert';

/**
 * Sends alerts to New Relic: a `ZerodownAlert` custom event, a metric `Custom/Zerodown/Alert/<source>/<level>/<state>`,
 * and, for firing critical/error alerts, `noticeError` with an error of class `ZerodownAlert` marked expected (an
 * alert raised while serving a request is not that request's failure: it stays out of its error rate and Apdex).
 * `flush` (the end of a drain) calls `newrelic.shutdown({ collectPendingData: true })`: the agent harvests metrics
 * and error traces only once a minute and never on exit, so without it they, and events of the last harvest
 * period, would be lost. The agent is stopped afterwards.
 */
export function newRelicSink(newrelic: NewRelicLike): AlertSink {
  let shutdown: Promise<void> | undefined;
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
      newrelic.recordCustomEvent(NEW_RELIC_EVENT_TYPE, attrs);
      newrelic.recordMetric(`Zerodown/Alert/${alert.source}/${alert.level}/${alert.state}`, 1);
      if (alert.state === 'firing' && (alert.level === 'critical' || alert.level === 'error')) {
        const error = new Error(alert.title);
        error.name = NEW_RELIC_EVENT_TYPE;
        newrelic.noticeError(error, attrs, true);
      }
    },
    flush(signal: AbortSignal, options?: FlushOptions) {
      // only the final flush (end of a drain) stops the agent; a flush mid-life must not end reporting
      if (!options?.final || typeof newrelic.shutdown !== 'function') return;
      const stop = newrelic.shutdown.bind(newrelic);
      shutdown ??= new Promise<void>((resolve) => {
        try {
          stop({ collectPendingData: true }, () => resolve());
        } catch {
          resolve();
        }
      });
      return raceSignal(shutdown, signal);
    },
  };
}

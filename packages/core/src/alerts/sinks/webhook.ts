import { redactError } from '../../config/redact';
import { sleep } from '../../util/time';
import { undiciRequest } from '../../util/undici';
import type { Logger } from '../../logger';
import { raceSignal } from '../race';
import type { Alert, AlertSink, AlertState } from '../types';

/** Options of {@link webhookSink}. */
export interface WebhookSinkOptions {
  /** Where to POST the alert JSON (Slack/PagerDuty/SMS gateway adapter). */
  url: string;
  /** Extra headers, e.g. an authorization header (never logged). */
  headers?: Record<string, string>;
  /** Timeout of one attempt (ms). Default 3000. */
  timeoutMs?: number;
  /** Retries after the first attempt (5xx, 429, network errors). Default 2. */
  retries?: number;
  /** Base backoff between attempts (ms), doubled each time. Default 250. */
  backoffMs?: number;
  /**
   * Alerts waiting for delivery at most (besides the {@link WEBHOOK_CONCURRENCY} being delivered). When the
   * queue is full the **oldest** waiting alert is dropped and logged, so the newest state always goes out;
   * a `resolved` alert whose `firing` alert was already sent is never dropped. Default 100.
   */
  maxPending?: number;
}

/** Deliveries in flight at once per webhook. */
export const WEBHOOK_CONCURRENCY = 4;

interface Item {
  key: string;
  state: AlertState;
  body: string;
  /** A resolved alert whose firing alert was already sent: never dropped. */
  keep: boolean;
}

/**
 * POSTs each alert as JSON in the background with a timeout and retries. Delivery never runs on a
 * request path: `send` returns at once; `flush` waits for queued deliveries until the signal fires.
 * Alerts of one key are delivered in order (a `resolved` never overtakes its `firing`).
 */
export function webhookSink(options: WebhookSinkOptions, logger: Logger): AlertSink {
  const timeoutMs = options.timeoutMs ?? 3000;
  const retries = options.retries ?? 2;
  const backoffMs = options.backoffMs ?? 250;
  const maxPending = options.maxPending ?? 100;
  const headers = { 'content-type': 'application/json', 'user-agent': 'zerodown-alerts', ...options.headers };
  const ac = new AbortController();
  const target = safeUrl(options.url);
  const request = undiciRequest(); // loaded when the sink is configured, not inside a delivery's timeout
  const waiting: Item[] = [];
  /** Keys with a delivery in flight (one at a time per key keeps their order). */
  const busy = new Set<string>();
  /** Keys whose firing alert was handed to the webhook (their resolved alert is kept). */
  const fired = new Set<string>();
  let active = 0;
  let idle: (() => void)[] = [];

  async function deliver(body: string): Promise<void> {
    for (let attempt = 0; attempt <= retries; attempt++) {
      if (ac.signal.aborted) return;
      try {
        const res = await request(options.url, {
          method: 'POST',
          headers,
          body,
          headersTimeout: timeoutMs,
          bodyTimeout: timeoutMs,
          signal: AbortSignal.any([ac.signal, AbortSignal.timeout(timeoutMs)]),
        });
        await res.body.dump();
        if (res.statusCode < 300) return;
        if (res.statusCode < 500 && res.statusCode !== 429) {
          logger.warn({ url: target, statusCode: res.statusCode }, 'zerodown: alert webhook rejected the alert');
          return;
        }
        if (attempt === retries) logger.warn({ url: target, statusCode: res.statusCode, attempts: attempt + 1 }, 'zerodown: alert webhook failed');
      } catch (error) {
        if (attempt === retries) logger.warn({ url: target, err: redactError(error), attempts: attempt + 1 }, 'zerodown: alert webhook unreachable');
      }
      if (attempt < retries) await sleep(backoffMs * 2 ** attempt);
    }
  }

  function pump(): void {
    while (active < WEBHOOK_CONCURRENCY && !ac.signal.aborted) {
      const i = waiting.findIndex((it) => !busy.has(it.key));
      if (i === -1) break;
      const item = waiting.splice(i, 1)[0]!;
      active++;
      busy.add(item.key);
      if (item.state === 'firing') fired.add(item.key);
      else fired.delete(item.key);
      void deliver(item.body)
        .catch(() => {})
        .finally(() => {
          active--;
          busy.delete(item.key);
          pump();
        });
    }
    if (active === 0 && (waiting.length === 0 || ac.signal.aborted)) {
      const done = idle;
      idle = [];
      for (const d of done) d();
    }
  }

  return {
    name: 'webhook',
    send(alert: Alert) {
      if (ac.signal.aborted) return;
      const item: Item = { key: alert.key, state: alert.state, body: JSON.stringify(alert), keep: alert.state === 'resolved' && fired.has(alert.key) };
      if (waiting.length >= maxPending && !item.keep) {
        // keep the newest: drop the oldest waiting alert that may be dropped
        const i = waiting.findIndex((it) => !it.keep);
        if (i === -1) {
          logger.warn({ url: target, maxPending, key: alert.key, state: alert.state }, 'zerodown: alert webhook backlog full of resolved alerts; new alert dropped');
          return;
        }
        const [old] = waiting.splice(i, 1);
        logger.warn({ url: target, maxPending, key: old!.key, state: old!.state }, 'zerodown: alert webhook backlog full; oldest waiting alert dropped');
      }
      waiting.push(item);
      pump();
    },
    flush(signal: AbortSignal) {
      if (active === 0 && waiting.length === 0) return;
      return raceSignal(new Promise<void>((resolve) => idle.push(resolve)), signal);
    },
    dispose() {
      ac.abort();
      waiting.length = 0;
      pump();
    },
  };
}

/** The URL without credentials, query or path (safe to log). */
function safeUrl(url: string): string {
  try {
    const u = new URL(url);
    return `${u.protocol}//${u.host}`;
  } catch {
    return '<invalid url>';
  }
}

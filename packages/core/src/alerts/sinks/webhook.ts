import { request } from 'undici';
import type { Logger } from '../../logger';
import { raceSignal } from '../race';
import type { Alert, AlertSink } from '../types';

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
  /** Deliveries kept in flight at most; older ones beyond are dropped. Default 100. */
  maxPending?: number;
}

/**
 * POSTs each alert as JSON in the background with a timeout and retries. Delivery never runs on a
 * request path: `send` returns at once; `flush` waits for pending deliveries until the signal fires.
 */
export function webhookSink(options: WebhookSinkOptions, logger: Logger): AlertSink {
  const timeoutMs = options.timeoutMs ?? 3000;
  const retries = options.retries ?? 2;
  const backoffMs = options.backoffMs ?? 250;
  const maxPending = options.maxPending ?? 100;
  const headers = { 'content-type': 'application/json', 'user-agent': 'zerodown-alerts', ...options.headers };
  const pending = new Set<Promise<void>>();
  const ac = new AbortController();
  const target = safeUrl(options.url);

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
        if (attempt === retries) logger.warn({ url: target, err: error, attempts: attempt + 1 }, 'zerodown: alert webhook unreachable');
      }
      if (attempt < retries) await new Promise((r) => setTimeout(r, backoffMs * 2 ** attempt).unref());
    }
  }

  return {
    name: 'webhook',
    send(alert: Alert) {
      if (pending.size >= maxPending) {
        logger.warn({ url: target, maxPending }, 'zerodown: alert webhook backlog full; alert dropped');
        return;
      }
      const p = deliver(JSON.stringify(alert)).catch(() => {});
      pending.add(p);
      void p.finally(() => pending.delete(p));
    },
    flush(signal: AbortSignal) {
      return raceSignal(Promise.all(pending), signal);
    },
    dispose() {
      ac.abort();
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

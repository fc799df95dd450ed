/**
 * Continuous member traffic for the e2e scenarios and the demo: `connections` workers, each sending one
 * request at a time over an undici Pool of as many keep-alive connections, until stopped or until the
 * request or time bound is reached. Every request's outcome is recorded (status or error, latency, path).
 */
import { Pool } from 'undici';

/** One request as the client saw it. */
export interface RequestOutcome {
  /** Milliseconds since the load started, when the request was sent. */
  at: number;
  /** Milliseconds until the whole body was read (or the error). */
  ms: number;
  path: string;
  /** HTTP status, or 0 when the request failed without an answer. */
  status: number;
  /** The error message when `status` is 0. */
  error?: string;
  /** The start of the body of a non-2xx answer (who answered it: the app, or the load balancer). */
  body?: string;
  /** The `tag` option's label for this answer. */
  tag?: string;
}

/** Options of {@link startLoad}. */
export interface LoadOptions {
  /** Origin to send to, e.g. HAProxy's frontend `http://127.0.0.1:<port>`. */
  url: string;
  /** Concurrent requests, and keep-alive connections in the pool. Default 16. */
  connections?: number;
  /** Paths sent in turn by each worker. Default `['/']`. */
  paths?: string[];
  /** Stop after this many requests in total. Default 200000. */
  maxRequests?: number;
  /** Stop after this many milliseconds. Default 120000. */
  maxMs?: number;
  /** Labels an answer from its path, status and body (e.g. a fallback); counted in {@link LoadReport.tags}. */
  tag?: (path: string, status: number, body: string) => string | undefined;
}

/** What a load run saw. */
export interface LoadReport {
  outcomes: RequestOutcome[];
  total: number;
  /** 2xx answers. */
  ok: number;
  /** Answers outside 2xx. */
  non2xx: RequestOutcome[];
  /** Requests that got no answer (reset, refused, timeout). */
  failed: RequestOutcome[];
  /** Counts per `tag` label. */
  tags: Record<string, number>;
  durationMs: number;
}

/** A running load. */
export interface Load {
  /** `performance.now()` when the load started: `RequestOutcome.at` counts from here. */
  startedAt: number;
  /** Requests completed so far. */
  count(): number;
  /** Requests completed so far whose path starts with `prefix` and whose status is `status`. */
  countOf(prefix: string, status: number): number;
  /** Answers labelled `tag` so far (see {@link LoadOptions.tag}). */
  tagged(tag: string): number;
  /** Stops sending, waits for the requests in flight, closes the pool and reports. */
  stop(): Promise<LoadReport>;
}

/** Starts the load at once. */
export function startLoad(options: LoadOptions): Load {
  const connections = options.connections ?? 16;
  const paths = options.paths ?? ['/'];
  const maxRequests = options.maxRequests ?? 200000;
  const maxMs = options.maxMs ?? 120000;
  const pool = new Pool(options.url, { connections, pipelining: 1, keepAliveTimeout: 30000, headersTimeout: 15000, bodyTimeout: 15000 });
  const outcomes: RequestOutcome[] = [];
  const t0 = performance.now();
  let stopped = false;
  let sent = 0;
  const worker = async (w: number): Promise<void> => {
    for (let i = w; !stopped && sent < maxRequests && performance.now() - t0 < maxMs; i++) {
      sent++;
      const path = paths[i % paths.length]!;
      const at = performance.now() - t0;
      try {
        const r = await pool.request({ path, method: 'GET' });
        const body = await r.body.text();
        const tag = options.tag?.(path, r.statusCode, body);
        const bad = r.statusCode < 200 || r.statusCode >= 300;
        outcomes.push({ at, ms: performance.now() - t0 - at, path, status: r.statusCode, ...(tag ? { tag } : {}), ...(bad ? { body: body.slice(0, 160) } : {}) });
      } catch (error) {
        outcomes.push({ at, ms: performance.now() - t0 - at, path, status: 0, error: (error as Error).message });
      }
    }
  };
  const done = Promise.all(Array.from({ length: connections }, (_, w) => worker(w)));
  return {
    startedAt: t0,
    count: () => outcomes.length,
    countOf: (prefix, status) => outcomes.filter((o) => o.status === status && o.path.startsWith(prefix)).length,
    tagged: (tag) => outcomes.filter((o) => o.tag === tag).length,
    async stop() {
      stopped = true;
      await done;
      await pool.close();
      const tags: Record<string, number> = {};
      for (const o of outcomes) if (o.tag) tags[o.tag] = (tags[o.tag] ?? 0) + 1;
      return {
        outcomes,
        total: outcomes.length,
        ok: outcomes.filter((o) => o.status >= 200 && o.status < 300).length,
        non2xx: outcomes.filter((o) => o.status !== 0 && (o.status < 200 || o.status >= 300)),
        failed: outcomes.filter((o) => o.status === 0),
        tags,
        durationMs: performance.now() - t0,
      };
    },
  };
}

/** The `q`-quantile (0..1) of `values` (nearest rank); 0 for none. */
export function quantile(values: number[], q: number): number {
  if (values.length === 0) return 0;
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil(q * sorted.length) - 1))]!;
}

/** A short text of what went wrong, for an assertion message: the first few failures and non-2xx answers. */
export function describeProblems(report: LoadReport, limit = 10): string {
  const lines = [...report.failed, ...report.non2xx].slice(0, limit).map((o) => `${o.at.toFixed(0)} ms ${o.path}: ${o.status ? `${o.status} ${o.body ?? ''}` : o.error}`);
  return lines.join('\n');
}

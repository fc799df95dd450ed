import type { ServerResponse } from 'node:http';
import { getHeapStatistics } from 'node:v8';
import { ZerodownConfigError } from '../errors';
import type { Logger } from '../logger';
import { EventLoopDelay } from '../monitors/event-loop-delay';

/** The `shedding` option (opt-in load shedding). */
export interface SheddingOptions {
  /** Turn load shedding on. Default false. */
  enabled?: boolean;
  /** Shed while the event loop is delayed more than this (ms). Default 500. */
  eventLoopDelayMs?: number;
  /** Shed while the heap is fuller than this share of its limit (%). Default 95. */
  heapUsedPercent?: number;
  /** How often the state is re-evaluated (ms). Default 250. */
  sampleIntervalMs?: number;
  /** `Retry-After` header value (s). Default 5. */
  retryAfterSeconds?: number;
}

/** Shedding options after defaults. */
export type ResolvedSheddingOptions = Required<SheddingOptions>;

/** Defaults of {@link SheddingOptions}. */
export const SHEDDING_DEFAULTS: ResolvedSheddingOptions = { enabled: false, eventLoopDelayMs: 500, heapUsedPercent: 95, sampleIntervalMs: 250, retryAfterSeconds: 5 };

const BODY = '{"error":"overloaded","retry":true}';

/**
 * Load shedding: a background sampler sets one boolean, so `shouldShed()` is a field read on the
 * request path. Adapters answer 503 + `Retry-After` to ordinary routes while it is true, never to probes.
 */
export class Shedder {
  private shedding = false;
  private timer: NodeJS.Timeout | undefined;
  private delay: EventLoopDelay | undefined;
  private readonly heapLimit = getHeapStatistics().heap_size_limit;
  private readonly headers: Record<string, string>;

  constructor(
    readonly options: ResolvedSheddingOptions,
    private readonly logger: Logger,
  ) {
    this.headers = { 'content-type': 'application/json', 'retry-after': String(options.retryAfterSeconds), connection: 'close' };
    if (!options.enabled) return;
    this.delay = new EventLoopDelay(options.sampleIntervalMs);
    this.timer = setInterval(() => this.evaluate(), options.sampleIntervalMs);
    this.timer.unref();
  }

  /** True while the instance is overloaded and should answer 503 to ordinary routes. Constant time. */
  shouldShed(): boolean {
    return this.shedding;
  }

  /** Writes the 503 + `Retry-After` answer (plain node:http, Express). */
  reject(res: ServerResponse): void {
    res.writeHead(503, this.headers);
    res.end(BODY);
  }

  /** Headers and body of the 503 answer (for frameworks with their own reply object). */
  response(): { statusCode: 503; headers: Readonly<Record<string, string>>; body: string } {
    return { statusCode: 503, headers: this.headers, body: BODY };
  }

  /**
   * Re-evaluates now (the background timer calls it; tests may too). Hysteresis: clears at 80% of a threshold.
   * The delay includes this sampler's own lateness (see {@link EventLoopDelay}).
   */
  evaluate(): boolean {
    if (!this.delay) return false;
    const delayMs = this.delay.read();
    const heapPct = (getHeapStatistics().used_heap_size / this.heapLimit) * 100;
    const o = this.options;
    const factor = this.shedding ? 0.8 : 1;
    const over = delayMs > o.eventLoopDelayMs * factor || heapPct > o.heapUsedPercent * factor;
    if (over !== this.shedding) {
      this.shedding = over;
      this.logger[over ? 'warn' : 'info']({ eventLoopDelayMs: Math.round(delayMs), heapUsedPercent: Math.round(heapPct) }, over ? 'zerodown: overloaded: shedding load (503 + Retry-After)' : 'zerodown: load back to normal: stopped shedding');
    }
    return over;
  }

  /**
   * Forces the state (tests, or an app with its own overload signal); the sampler may change it again at
   * its next run. Throws {@link ZerodownConfigError} when shedding is disabled: the adapters (the Fastify
   * hook in particular) only shed when `shedding.enabled` is true, so a forced state would not be honoured everywhere.
   */
  set(shed: boolean): void {
    if (!this.options.enabled) {
      throw new ZerodownConfigError('shedding.enabled', `zerodown: shedding.set(${String(shed)}) needs load shedding on: expected the option shedding.enabled to be true, got false`);
    }
    this.shedding = shed;
  }

  /** Stops the sampler. */
  dispose(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
    this.delay?.dispose();
    this.delay = undefined;
    this.shedding = false;
  }
}

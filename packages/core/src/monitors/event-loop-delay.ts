import { monitorEventLoopDelay, performance, type IntervalHistogram } from 'node:perf_hooks';

/**
 * Resolution (ms) of the process's one event-loop delay histogram. Each tick wakes the event loop
 * (~5k instructions), so 10 ms cost ~500k instructions a second on an idle process; at 100 ms the
 * cost is ~10x smaller, and a delay is still measured to within 100 ms (below it, by at most that;
 * the default thresholds that read it are 500 ms and more).
 */
export const EVENT_LOOP_RESOLUTION_MS = 100;

/**
 * The one event-loop delay histogram of the process, shared by every {@link EventLoopDelay} (the
 * monitors, load shedding, the liveness check): enabled while at least one reader exists. Each read
 * folds the histogram into every reader's own maximum, then resets it.
 *
 * `reset()` drops the first tick after it (node records a tick's delta only when it has a previous
 * tick), so a block right after a fold would be lost; the fold recovers it: the recorded ticks span
 * `mean × count`, and whatever time since the previous fold they do not cover was spent before the
 * first recorded tick or after the last one (counted as one delay, less a resolution).
 */
class SharedHistogram {
  private histogram: IntervalHistogram | undefined;
  private readonly readers = new Set<EventLoopDelay>();
  /** Time of the previous fold; undefined until the event loop turned once after the histogram started. */
  private lastFold: number | undefined;

  add(reader: EventLoopDelay): void {
    if (!this.histogram) {
      const h = monitorEventLoopDelay({ resolution: EVENT_LOOP_RESOLUTION_MS });
      this.histogram = h;
      h.enable();
      // the rest of the app's synchronous startup is not a stall: unrecorded time counts from the first turn
      this.lastFold = undefined;
      setImmediate(() => {
        if (this.histogram === h && this.lastFold === undefined) this.lastFold = performance.now();
      }).unref();
    }
    this.readers.add(reader);
  }

  delete(reader: EventLoopDelay): void {
    this.readers.delete(reader);
    if (this.readers.size > 0 || !this.histogram) return;
    this.histogram.disable();
    this.histogram = undefined;
  }

  /** Moves the delays recorded since the previous fold into every reader's maximum. */
  fold(): void {
    const h = this.histogram;
    if (!h) return;
    const now = performance.now();
    const recordedMs = h.count > 0 ? (h.mean * h.count) / 1e6 : 0;
    // the unrecorded time also holds up to a resolution before the first tick and after the last one
    const unrecordedMs = this.lastFold === undefined ? 0 : now - this.lastFold - recordedMs - EVENT_LOOP_RESOLUTION_MS;
    // a tick's delta includes the resolution itself: the delay is what exceeds it
    const maxMs = Math.max(h.count > 0 ? h.max / 1e6 - EVENT_LOOP_RESOLUTION_MS : 0, unrecordedMs, 0);
    h.reset();
    this.lastFold = now;
    for (const r of this.readers) r.observe(maxMs);
  }
}

const shared = new SharedHistogram();

/**
 * Event-loop delay since the previous read: the larger of the shared histogram's maximum since then
 * and the reader's own lateness (given the expected `intervalMs` between reads). Readers share the
 * process's one histogram ({@link EVENT_LOOP_RESOLUTION_MS}); call `dispose()` when done.
 */
export class EventLoopDelay {
  /** Time of the previous read; undefined until the event loop turned once (startup is not lateness). */
  private lastRead: number | undefined;
  private maxMs = 0;

  /** @param intervalMs the expected time between reads (0: no lateness measured). */
  constructor(private readonly intervalMs: number) {
    shared.add(this);
    setImmediate(() => {
      this.lastRead ??= performance.now();
    }).unref();
  }

  /** @internal Called by the shared histogram with the maximum delay of a folded interval. */
  observe(ms: number): void {
    if (ms > this.maxMs) this.maxMs = ms;
  }

  /** The delay (ms, unrounded) since the previous read; starts a new interval. */
  read(): number {
    shared.fold();
    const now = performance.now();
    const lateMs = this.intervalMs > 0 && this.lastRead !== undefined ? Math.max(0, now - this.lastRead - this.intervalMs) : 0;
    this.lastRead = now;
    const delayMs = Math.max(this.maxMs, lateMs);
    this.maxMs = 0;
    return delayMs;
  }

  /** Stops reading; the histogram stops with its last reader. */
  dispose(): void {
    shared.delete(this);
  }
}

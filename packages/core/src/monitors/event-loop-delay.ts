import { monitorEventLoopDelay, performance, type IntervalHistogram } from 'node:perf_hooks';

/**
 * Resolution (ms) of the process's one event-loop delay histogram. Each tick wakes the event loop, so
 * an idle process's cost grows with the tick rate (10 ms: 100 wake-ups a second, 100 ms: 10); a delay is
 * still measured to within 100 ms (below it, by at most that; the default thresholds that read it are
 * 500 ms and more).
 */
export const EVENT_LOOP_RESOLUTION_MS = 100;

/**
 * Delays at or below this (ms) do not reset the histogram: a reset costs a memset of its whole bucket
 * array and makes node drop the next tick, so a healthy process never resets it. Readers may then see
 * up to this much, left from an earlier interval.
 */
const RESET_ABOVE_MS = EVENT_LOOP_RESOLUTION_MS / 2;

/**
 * The one event-loop delay histogram of the process, shared by every {@link EventLoopDelay} (the
 * monitors, load shedding, the liveness check): enabled while at least one reader exists. Each read
 * folds the histogram's maximum (less the resolution, which every tick's delta includes) into every
 * reader's own maximum, and resets the histogram only after a delay above {@link RESET_ABOVE_MS}.
 *
 * `reset()` (and `enable()`) drop the first tick after it: node records a tick's delta only when it
 * has a previous tick, so a block right after a reset would be lost. The first fold after a reset
 * recovers it: the recorded ticks span at most `max × count`, and whatever time since the reset they
 * do not cover was spent before the first recorded tick or after the last one (counted as one delay,
 * less a resolution). That bound is lower than the exact span (`mean × count`), so it never reports
 * more than happened; it reads only `count` and `max`, which node keeps as it records, where `mean`
 * walks the whole bucket array (tens of thousands of buckets: over a million instructions a read).
 */
class SharedHistogram {
  private histogram: IntervalHistogram | undefined;
  private readonly readers = new Set<EventLoopDelay>();
  /** When the histogram was last reset (or started); undefined until the event loop turned once after the start. */
  private resetAt: number | undefined;
  /** True after a reset until a fold has seen a recorded tick (and so accounted for the dropped one). */
  private afterReset = true;

  add(reader: EventLoopDelay): void {
    if (!this.histogram) {
      const h = monitorEventLoopDelay({ resolution: EVENT_LOOP_RESOLUTION_MS });
      this.histogram = h;
      h.enable();
      // the rest of the app's synchronous startup is not a stall: unrecorded time counts from the first turn
      this.resetAt = undefined;
      this.afterReset = true;
      setImmediate(() => {
        if (this.histogram === h && this.resetAt === undefined) this.resetAt = performance.now();
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
    const count = h.count;
    const maxDeltaMs = count > 0 ? h.max / 1e6 : 0;
    let maxMs = count > 0 ? maxDeltaMs - EVENT_LOOP_RESOLUTION_MS : 0;
    if (this.afterReset && this.resetAt !== undefined) {
      // every recorded delta is at most max, so the recorded ticks span at most max × count
      const recordedMs = maxDeltaMs * count;
      // the unrecorded time also holds up to a resolution before the first tick and after the last one
      maxMs = Math.max(maxMs, now - this.resetAt - recordedMs - EVENT_LOOP_RESOLUTION_MS);
      // until a tick is recorded, the dropped one may still be ahead
      if (count > 0) this.afterReset = false;
    }
    maxMs = Math.max(maxMs, 0);
    if (maxMs > RESET_ABOVE_MS) {
      h.reset();
      this.resetAt = now;
      this.afterReset = true;
    }
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

import { monitorEventLoopDelay, performance, type IntervalHistogram } from 'node:perf_hooks';

/**
 * Event-loop delay since the previous read: the larger of the delay histogram's maximum and the reader's own
 * lateness (given the expected `intervalMs` between reads). After `reset()` the histogram drops its first
 * tick, so a block that starts right after a read would otherwise be missed.
 */
export class EventLoopDelay {
  private readonly histogram: IntervalHistogram = monitorEventLoopDelay({ resolution: 10 });
  private lastRead = performance.now();

  /** @param intervalMs the expected time between reads (0: no lateness measured). */
  constructor(private readonly intervalMs: number) {
    this.histogram.enable();
  }

  /** The delay (ms, unrounded) since the previous read; starts a new interval. */
  read(): number {
    const now = performance.now();
    const lateMs = this.intervalMs > 0 ? Math.max(0, now - this.lastRead - this.intervalMs) : 0;
    this.lastRead = now;
    const h = this.histogram;
    const delayMs = Math.max(h.count > 0 ? h.max / 1e6 : 0, lateMs);
    h.reset();
    return delayMs;
  }

  /** Stops the histogram. */
  dispose(): void {
    this.histogram.disable();
  }
}

import { EventEmitter } from 'node:events';

/**
 * One timer per bucket length rotates the rolling windows of every breaker (opossum's
 * `rotateBucketController`), instead of one interval per breaker: 1,000 breakers cost 1 timer.
 */
export class BucketRotation {
  private readonly clocks = new Map<number, { emitter: EventEmitter; timer: NodeJS.Timeout }>();

  /** @param onRotate called on every tick of each clock, before the breakers' own rotation listeners. */
  constructor(private readonly onRotate: (emitter: EventEmitter) => void) {}

  /** The shared emitter for a bucket length (ms). */
  emitterFor(bucketMs: number): EventEmitter {
    let c = this.clocks.get(bucketMs);
    if (!c) {
      const emitter = new EventEmitter();
      emitter.setMaxListeners(0);
      emitter.on('rotate', () => this.onRotate(emitter));
      const timer = setInterval(() => emitter.emit('rotate'), bucketMs);
      timer.unref();
      c = { emitter, timer };
      this.clocks.set(bucketMs, c);
    }
    return c.emitter;
  }

  /** Stops every timer. */
  dispose(): void {
    for (const c of this.clocks.values()) {
      clearInterval(c.timer);
      c.emitter.removeAllListeners();
    }
    this.clocks.clear();
  }
}

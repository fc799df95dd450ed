import type { Threshold } from './types';

/**
 * Threshold state with hysteresis: enters `bad` after `samples` consecutive values past the threshold,
 * leaves it after `samples` consecutive values past `clear`. `lowIsBad` flips the direction (disk free).
 */
export class Hysteresis {
  bad = false;
  private streak = 0;
  private readonly clear: number;
  private readonly samples: number;

  constructor(
    private readonly t: Threshold,
    private readonly lowIsBad = false,
  ) {
    this.clear = t.clear ?? (lowIsBad ? t.threshold * 1.1 : t.threshold * 0.9);
    this.samples = Math.max(1, t.samples ?? 1);
  }

  /** Feeds one value; returns true when the state changed. */
  update(value: number): boolean {
    const past = this.lowIsBad ? value < this.t.threshold : value > this.t.threshold;
    const cleared = this.lowIsBad ? value >= this.clear : value <= this.clear;
    const moving = this.bad ? cleared : past;
    this.streak = moving ? this.streak + 1 : 0;
    if (this.streak >= this.samples) {
      this.bad = !this.bad;
      this.streak = 0;
      return true;
    }
    return false;
  }
}

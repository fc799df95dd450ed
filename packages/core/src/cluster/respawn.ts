/** Settings of {@link RespawnPolicy}. */
export interface RespawnSettings {
  /** Delay before the first respawn after a crash (ms); doubled for each crash in the window. */
  initialDelayMs: number;
  /** Longest delay between respawns (ms). */
  maxDelayMs: number;
  /** Crashes within `windowMs` after which the master gives up respawning. */
  maxRestarts: number;
  /** The window crashes are counted in (ms). */
  windowMs: number;
}

/**
 * Exponential backoff for crashed workers, with a bound: after `maxRestarts` crashes within
 * `windowMs`, {@link next} returns `undefined` (a crash loop: stop respawning, alert).
 */
export class RespawnPolicy {
  private crashes: number[] = [];

  constructor(
    private readonly settings: RespawnSettings,
    private readonly now: () => number = Date.now,
  ) {}

  /** Records a crash; returns the delay before the respawn, or `undefined` to give up. */
  next(): number | undefined {
    const t = this.now();
    this.crashes = this.crashes.filter((c) => t - c < this.settings.windowMs);
    this.crashes.push(t);
    if (this.crashes.length > this.settings.maxRestarts) return undefined;
    return Math.min(this.settings.maxDelayMs, this.settings.initialDelayMs * 2 ** (this.crashes.length - 1));
  }

  /** Crashes counted in the current window. */
  get recent(): number {
    return this.crashes.length;
  }
}

/**
 * Counts requests in flight across every attached server and resolves waiters when it reaches zero.
 */
export class InflightCounter {
  private n = 0;
  private waiters: Array<() => void> = [];

  /** Requests currently in flight. */
  get count(): number {
    return this.n;
  }

  /** One request started. */
  inc(): void {
    this.n++;
  }

  /** One request ended (completed, aborted or destroyed). */
  dec(): void {
    if (this.n > 0) this.n--;
    if (this.n === 0 && this.waiters.length > 0) {
      const w = this.waiters;
      this.waiters = [];
      for (const fn of w) fn();
    }
  }

  /** Resolves when nothing is in flight (at once if already idle). */
  idle(): Promise<void> {
    if (this.n === 0) return Promise.resolve();
    return new Promise((resolve) => this.waiters.push(resolve));
  }
}

/**
 * Counts requests in flight across every attached server and wakes waiters each time one ends.
 */
export class InflightCounter {
  private n = 0;
  private readonly waiters = new Set<() => void>();

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
    if (this.waiters.size > 0) for (const wake of [...this.waiters]) wake();
  }

  /**
   * Resolves once `done()` is true, checked now and each time a request ends; rejects with the
   * signal's reason when it aborts first. Nothing is polled and the waiter is removed either way.
   */
  until(done: () => boolean, signal?: AbortSignal): Promise<void> {
    if (done()) return Promise.resolve();
    if (signal?.aborted) return Promise.reject(signal.reason);
    return new Promise((resolve, reject) => {
      const finish = (): void => {
        this.waiters.delete(wake);
        signal?.removeEventListener('abort', onAbort);
      };
      const wake = (): void => {
        if (!done()) return;
        finish();
        resolve();
      };
      const onAbort = (): void => {
        finish();
        reject(signal!.reason);
      };
      this.waiters.add(wake);
      signal?.addEventListener('abort', onAbort, { once: true });
    });
  }
}

import type { FleetSemaphore } from './semaphore';

/** A slot being held: renewed in the background until {@link FleetHold.release}. */
export interface FleetHold {
  readonly holder: string;
  /** Stops renewing and gives the slot back. Never throws; resolves false when Redis failed. */
  release(): Promise<boolean>;
}

/**
 * Takes a slot and renews it every `ttlMs / 3` (timer unref'd) until released, for a long-running
 * command (`zerodown rolling`). Renewal errors are passed to `onError` and retried on the next tick.
 */
export async function holdFleetSlot(
  semaphore: FleetSemaphore,
  holder: string,
  options: { timeoutMs?: number; signal?: AbortSignal; onWait?: (holders: string[], elapsedMs: number) => void; onError?: (error: unknown) => void } = {},
): Promise<FleetHold> {
  await semaphore.acquire(holder, options);
  const timer = setInterval(() => {
    semaphore.renew(holder).catch((error: unknown) => options.onError?.(error));
  }, Math.max(500, Math.floor(semaphore.ttlMs / 3)));
  timer.unref();
  let released: Promise<boolean> | undefined;
  return {
    holder,
    release: () => {
      clearInterval(timer);
      released ??= semaphore.release(holder).catch((error: unknown) => {
        options.onError?.(error);
        return false;
      });
      return released;
    },
  };
}

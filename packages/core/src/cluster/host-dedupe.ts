import type { AlertState } from '../alerts/types';
import type { Logger } from '../logger';

/** Worker → master: may this worker send this state change of a per-host alert key? */
export interface AlertDedupeRequest {
  zerodown: 'alert-dedupe';
  id: number;
  key: string;
  state: AlertState;
}
/** Master → worker: answer to an {@link AlertDedupeRequest}. */
export interface AlertDedupeReply {
  zerodown: 'alert-dedupe';
  id: number;
  send: boolean;
}

/** How long a worker waits for the master's answer before it sends the alert itself (ms). */
export const HOST_DEDUPE_TIMEOUT_MS = 1000;

/**
 * The master side of the host alert de-dup under `zerodown serve`: per alert key, the workers that
 * report it. `firing` records the worker and is sent only by the first reporter of the host; `resolved`
 * removes it and is sent only by the last one. A worker that exits is removed from every key without a
 * notification: a key whose last reporter exited is forgotten, so the next worker that reports it firing
 * sends a firing notification again (the resolved one comes from the last worker that recovers).
 */
export class HostAlertReporters {
  private readonly reporters = new Map<string, Set<number>>();

  /** True when worker `worker` sends this state change of `key`. */
  decide(worker: number, key: string, state: AlertState): boolean {
    let set = this.reporters.get(key);
    if (state === 'firing') {
      if (!set) this.reporters.set(key, (set = new Set()));
      const first = set.size === 0;
      set.add(worker);
      return first;
    }
    if (!set || !set.delete(worker)) return false;
    if (set.size > 0) return false;
    this.reporters.delete(key);
    return true;
  }

  /** Removes an exited worker from every key. */
  forget(worker: number): void {
    for (const [key, set] of this.reporters) if (set.delete(worker) && set.size === 0) this.reporters.delete(key);
  }

  /** Keys some worker reports firing (for status and tests). */
  keys(): string[] {
    return [...this.reporters.keys()];
  }
}

/**
 * The worker side: an alert deduper that asks the master over IPC. Resolves true (send locally) when
 * the master is gone or does not answer within `timeoutMs`, and logs that once.
 */
export class HostDeduper {
  private nextId = 1;
  private readonly pending = new Map<number, { resolve: (send: boolean) => void; timer: NodeJS.Timeout }>();
  private warned = false;

  constructor(
    private readonly send: (m: AlertDedupeRequest) => boolean,
    private readonly logger: Logger,
    private readonly timeoutMs = HOST_DEDUPE_TIMEOUT_MS,
  ) {}

  /** The {@link AlertDeduper} to give the alert manager. */
  readonly dedupe = (key: string, state: AlertState): Promise<boolean> =>
    new Promise((resolve) => {
      const id = this.nextId++;
      const timer = setTimeout(() => {
        this.pending.delete(id);
        this.fallBack(key, 'the master did not answer in time');
        resolve(true);
      }, this.timeoutMs);
      timer.unref();
      this.pending.set(id, { resolve, timer });
      if (!this.send({ zerodown: 'alert-dedupe', id, key, state })) {
        clearTimeout(timer);
        this.pending.delete(id);
        this.fallBack(key, 'the master is gone');
        resolve(true);
      }
    });

  /** Settles the request a reply answers. */
  onReply(m: AlertDedupeReply): void {
    const p = this.pending.get(m.id);
    if (!p) return;
    this.pending.delete(m.id);
    clearTimeout(p.timer);
    p.resolve(m.send === true);
  }

  /** Settles every pending request with "send" and stops the timers. */
  dispose(): void {
    for (const p of this.pending.values()) {
      clearTimeout(p.timer);
      p.resolve(true);
    }
    this.pending.clear();
  }

  private fallBack(key: string, why: string): void {
    if (this.warned) return;
    this.warned = true;
    this.logger.warn({ key }, `zerodown: host alert de-dup unavailable (${why}); this worker sends its alerts itself`);
  }
}

import { LifecycleStateError } from '../errors';
import type { Logger } from '../logger';
import { Emitter, type Disposer } from '../util/emitter';

/** The lifecycle: `starting → ready → draining → stopped`. */
export type LifecycleState = 'starting' | 'ready' | 'draining' | 'stopped';

/** Events of the lifecycle. */
export type LifecycleEvents = {
  state: [next: LifecycleState, previous: LifecycleState];
  suspended: [suspended: boolean, reason: string | undefined];
};

const ORDER: Record<LifecycleState, number> = { starting: 0, ready: 1, draining: 2, stopped: 3 };

/**
 * Lifecycle state plus the "suspended" flag (readiness failed on purpose, e.g. `zerodown drain` without
 * exiting). Transitions only move forward.
 */
export class Lifecycle {
  private current: LifecycleState = 'starting';
  private suspendReason: string | undefined;
  private isSuspended = false;
  private readonly events: Emitter<LifecycleEvents>;

  constructor(logger: Logger) {
    this.events = new Emitter((error) => logger.error({ err: error }, 'zerodown: lifecycle listener threw'));
  }

  /** The current state. */
  get state(): LifecycleState {
    return this.current;
  }

  /** True while readiness is failed on purpose (see {@link suspend}). */
  get suspended(): boolean {
    return this.isSuspended;
  }

  /** Why readiness was suspended, if it is. */
  get suspendedReason(): string | undefined {
    return this.suspendReason;
  }

  /** Moves forward to `next`; moving backwards throws a {@link LifecycleStateError}. Same-state is a no-op. */
  transition(next: LifecycleState): void {
    const prev = this.current;
    if (prev === next) return;
    if (ORDER[next] < ORDER[prev]) throw new LifecycleStateError(`zerodown: cannot move from "${prev}" back to "${next}"`);
    this.current = next;
    this.events.emit('state', next, prev);
  }

  /** Fails readiness on purpose while staying up (serving continues). */
  suspend(reason?: string): void {
    const changed = !this.isSuspended;
    this.isSuspended = true;
    this.suspendReason = reason;
    if (changed) this.events.emit('suspended', true, reason);
  }

  /** Lifts {@link suspend}. */
  resume(): void {
    if (!this.isSuspended) return;
    this.isSuspended = false;
    this.suspendReason = undefined;
    this.events.emit('suspended', false, undefined);
  }

  /** True when new work may be routed here: `ready` and not suspended. */
  get accepting(): boolean {
    return this.current === 'ready' && !this.isSuspended;
  }

  /** Subscribes to lifecycle events. */
  on<K extends keyof LifecycleEvents>(event: K, fn: (...args: LifecycleEvents[K]) => void): Disposer {
    return this.events.on(event, fn);
  }
}

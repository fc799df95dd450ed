type Listener = (...args: unknown[]) => void;

/** A function that removes the listener or resource it came from. */
export type Disposer = () => void;

/**
 * A minimal typed event emitter: `on` returns a disposer; listener errors are isolated and reported,
 * never thrown into the emitter.
 */
export class Emitter<Events extends Record<string, unknown[]>> {
  private readonly listeners = new Map<keyof Events, Set<Listener>>();
  constructor(private readonly onListenerError: (error: unknown) => void = () => {}) {}

  /** Subscribes; returns a disposer. */
  on<K extends keyof Events>(event: K, fn: (...args: Events[K]) => void): Disposer {
    let set = this.listeners.get(event);
    if (!set) this.listeners.set(event, (set = new Set()));
    set.add(fn as unknown as Listener);
    return () => set!.delete(fn as unknown as Listener);
  }

  /** True when someone listens, so callers can skip building payloads nobody reads. */
  has(event: keyof Events): boolean {
    const set = this.listeners.get(event);
    return set !== undefined && set.size > 0;
  }

  /** Calls each listener; one that throws does not stop the others. */
  emit<K extends keyof Events>(event: K, ...args: Events[K]): void {
    const set = this.listeners.get(event);
    if (!set) return;
    for (const fn of [...set]) {
      try {
        (fn as unknown as (...a: Events[K]) => void)(...args);
      } catch (error) {
        this.onListenerError(error);
      }
    }
  }

  /** Removes every listener. */
  clear(): void {
    this.listeners.clear();
  }
}

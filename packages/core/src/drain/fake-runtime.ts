import type { Runtime } from './runtime';

interface FakeTimer {
  at: number;
  seq: number;
  fn: () => void;
}

/** A {@link Runtime} with fake time for tests: `advance(ms)` fires due timers; signals and exits are recorded. */
export class FakeRuntime implements Runtime {
  private t = 0;
  private seq = 0;
  private readonly timers = new Set<FakeTimer>();
  private readonly listeners = new Map<NodeJS.Signals, Set<() => void>>();
  /** Exit codes passed to `exit`, in order. */
  readonly exits: number[] = [];

  now(): number {
    return this.t;
  }

  setTimeout(fn: () => void, ms: number): unknown {
    const timer = { at: this.t + Math.max(0, ms), seq: this.seq++, fn };
    this.timers.add(timer);
    return timer;
  }

  clearTimeout(handle: unknown): void {
    this.timers.delete(handle as FakeTimer);
  }

  onSignal(signal: NodeJS.Signals, fn: () => void): () => void {
    let set = this.listeners.get(signal);
    if (!set) this.listeners.set(signal, (set = new Set()));
    set.add(fn);
    return () => set.delete(fn);
  }

  exit(code: number): void {
    this.exits.push(code);
  }

  /** Delivers `signal` to its listeners, as the OS would. */
  signal(signal: NodeJS.Signals): void {
    for (const fn of [...(this.listeners.get(signal) ?? [])]) fn();
  }

  /** Number of listeners for `signal`. */
  listenerCount(signal: NodeJS.Signals): number {
    return this.listeners.get(signal)?.size ?? 0;
  }

  /** Number of pending timers. */
  get pending(): number {
    return this.timers.size;
  }

  /** Moves time forward by `ms`, firing due timers in order and letting promise callbacks run between them. */
  async advance(ms: number): Promise<void> {
    const end = this.t + ms;
    await settle();
    for (;;) {
      let next: FakeTimer | undefined;
      for (const timer of this.timers) if (timer.at <= end && (!next || timer.at < next.at || (timer.at === next.at && timer.seq < next.seq))) next = timer;
      if (!next) break;
      this.timers.delete(next);
      this.t = next.at;
      next.fn();
      await settle();
    }
    this.t = end;
    await settle();
  }
}

/** Lets pending promise callbacks (and I/O callbacks already due) run. */
export function settle(): Promise<void> {
  return new Promise((resolve) => setImmediate(resolve));
}

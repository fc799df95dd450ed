import { HookTimeoutError, ZerodownConfigError } from '../errors';
import type { Logger } from '../logger';
import type { Disposer } from '../util/emitter';
import { withTimeout, type Clock, type Timers } from '../util/time';

/** A cleanup step run during drain (close Redis, DB pools, WebSockets). Gets a signal that fires at its timeout. */
export type ShutdownHook = (signal: AbortSignal) => Promise<void> | void;

/** Options of one shutdown hook. */
export interface ShutdownHookOptions {
  /** The hook is abandoned after this (ms). Default `drain.hookTimeoutMs`. */
  timeoutMs?: number;
}

/** Outcome of running the hooks. */
export interface HookReport {
  name: string;
  outcome: 'ok' | 'failed' | 'timeout';
  durationMs: number;
}

interface Hook {
  name: string;
  fn: ShutdownHook;
  timeoutMs: number;
}

/** Ordered cleanup hooks: run once, in reverse order of registration, each with its own timeout and try/catch. */
export class ShutdownHooks {
  private readonly hooks: Hook[] = [];

  constructor(
    private readonly defaultTimeoutMs: number,
    private readonly logger: Logger,
  ) {}

  /** Adds a hook; returns a disposer that removes it. */
  add(name: string, fn: ShutdownHook, options: ShutdownHookOptions = {}): Disposer {
    if (typeof fn !== 'function') throw new ZerodownConfigError(`onShutdown.${name}`, `zerodown: invalid shutdown hook "${name}": expected a function, got ${typeof fn}`);
    const timeoutMs = options.timeoutMs ?? this.defaultTimeoutMs;
    if (!Number.isInteger(timeoutMs) || timeoutMs < 1) {
      throw new ZerodownConfigError(`onShutdown.${name}.timeoutMs`, `zerodown: invalid option "onShutdown.${name}.timeoutMs": expected a whole number of milliseconds >= 1, got ${JSON.stringify(timeoutMs)}`);
    }
    const hook: Hook = { name, fn, timeoutMs };
    this.hooks.push(hook);
    return () => {
      const i = this.hooks.indexOf(hook);
      if (i !== -1) this.hooks.splice(i, 1);
    };
  }

  /** Number of registered hooks. */
  get size(): number {
    return this.hooks.length;
  }

  /**
   * Runs every hook in reverse order, within `budgetMs` from now (the hook budget, which starts after
   * the request phase): a hook gets the smaller of its own timeout and the budget left, but at least
   * 1 ms, so every hook is always called, even once the budget is spent (its synchronous part runs,
   * e.g. `redis.disconnect()`). A failure or timeout is logged at error and passed to `onFailure`.
   */
  async run(budgetMs: number, clock: Clock, timers: Timers, onFailure: (report: HookReport, error: unknown) => void): Promise<HookReport[]> {
    const reports: HookReport[] = [];
    const start = clock.now();
    for (const hook of [...this.hooks].reverse()) {
      const left = Math.floor(budgetMs - (clock.now() - start));
      const limit = Math.max(1, Math.min(hook.timeoutMs, left));
      if (left < 1) this.logger.error({ hook: hook.name, budgetMs }, `zerodown: shutdown hook "${hook.name}" called with 1 ms left: the hook budget of ${budgetMs} ms is spent`);
      const t0 = clock.now();
      const r = await withTimeout(hook.fn, limit, timers);
      const durationMs = Math.round(clock.now() - t0);
      if (r.ok) {
        this.logger.debug({ hook: hook.name, durationMs }, `zerodown: shutdown hook "${hook.name}" done`);
        reports.push({ name: hook.name, outcome: 'ok', durationMs });
        continue;
      }
      const report: HookReport = { name: hook.name, outcome: r.timedOut ? 'timeout' : 'failed', durationMs };
      const error = r.timedOut ? new HookTimeoutError(hook.name, limit) : r.error;
      this.logger.error({ hook: hook.name, err: error }, r.timedOut ? `zerodown: shutdown hook "${hook.name}" abandoned after ${limit} ms` : `zerodown: shutdown hook "${hook.name}" failed`);
      reports.push(report);
      onFailure(report, error);
    }
    return reports;
  }
}

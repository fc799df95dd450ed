import { HookTimeoutError, ZerodownConfigError } from '../errors';
import type { Logger } from '../logger';
import type { Disposer } from '../util/emitter';
import { withTimeout } from '../util/time';

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
  outcome: 'ok' | 'failed' | 'timeout' | 'skipped';
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
   * Runs the hooks in reverse order. `remainingMs()` is the time left before the overall deadline: a hook
   * gets the smaller of its own timeout and that; once nothing is left, the rest are skipped.
   */
  async run(remainingMs: () => number): Promise<HookReport[]> {
    const reports: HookReport[] = [];
    for (const hook of [...this.hooks].reverse()) {
      const left = remainingMs();
      if (left <= 0) {
        this.logger.error({ hook: hook.name }, `zerodown: shutdown hook "${hook.name}" skipped: drain deadline reached`);
        reports.push({ name: hook.name, outcome: 'skipped', durationMs: 0 });
        continue;
      }
      const limit = Math.min(hook.timeoutMs, left);
      const t0 = performance.now();
      const r = await withTimeout(hook.fn, limit);
      const durationMs = Math.round(performance.now() - t0);
      if (r.ok) {
        this.logger.debug({ hook: hook.name, durationMs }, `zerodown: shutdown hook "${hook.name}" done`);
        reports.push({ name: hook.name, outcome: 'ok', durationMs });
      } else if (r.timedOut) {
        this.logger.error({ hook: hook.name, err: new HookTimeoutError(hook.name, limit) }, `zerodown: shutdown hook "${hook.name}" abandoned after ${limit} ms`);
        reports.push({ name: hook.name, outcome: 'timeout', durationMs });
      } else {
        this.logger.error({ hook: hook.name, err: r.error }, `zerodown: shutdown hook "${hook.name}" failed`);
        reports.push({ name: hook.name, outcome: 'failed', durationMs });
      }
    }
    return reports;
  }
}

import { monitorEventLoopDelay, type IntervalHistogram } from 'node:perf_hooks';
import type { CheckDefinition } from '../types';

/**
 * Event-loop delay check: reports the worst delay since the previous run and fails past `maxMs`.
 * Registered by zerodown as a liveness check (`health.eventLoopStallMs`).
 */
export function eventLoopDelayCheck(options: { maxMs: number; warnMs?: number }): CheckDefinition {
  let h: IntervalHistogram | undefined;
  return {
    componentType: 'system',
    measurement: 'eventLoopDelay',
    run() {
      if (!h) {
        h = monitorEventLoopDelay({ resolution: 20 });
        h.enable();
        return { observedValue: 0, observedUnit: 'ms' };
      }
      const maxMs = Math.round(h.max / 1e6);
      h.reset();
      const status = maxMs > options.maxMs ? 'fail' : options.warnMs !== undefined && maxMs > options.warnMs ? 'warn' : 'pass';
      return { status, observedValue: maxMs, observedUnit: 'ms', output: status === 'pass' ? undefined : `event loop blocked for ${maxMs} ms` };
    },
    dispose() {
      h?.disable();
      h = undefined;
    },
  };
}

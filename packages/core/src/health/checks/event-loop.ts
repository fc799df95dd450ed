import { EventLoopDelay } from '../../monitors/event-loop-delay';
import type { CheckDefinition } from '../types';

/**
 * Event-loop delay check: reports the worst delay since the previous run and fails past `maxMs`.
 * Registered by zerodown as a liveness check (`health.eventLoopStallMs`). It reads the process's one
 * event-loop histogram, shared with the monitors and load shedding (see {@link EventLoopDelay}).
 */
export function eventLoopDelayCheck(options: { maxMs: number; warnMs?: number }): CheckDefinition {
  let delay: EventLoopDelay | undefined;
  return {
    componentType: 'system',
    measurement: 'eventLoopDelay',
    run() {
      if (!delay) {
        // the first run starts the reader; its read (0: nothing recorded yet) compiles the read path at startup
        delay = new EventLoopDelay(0);
        delay.read();
        return { observedValue: 0, observedUnit: 'ms' };
      }
      const maxMs = Math.round(delay.read());
      const status = maxMs > options.maxMs ? 'fail' : options.warnMs !== undefined && maxMs > options.warnMs ? 'warn' : 'pass';
      return { status, observedValue: maxMs, observedUnit: 'ms', output: status === 'pass' ? undefined : `event loop blocked for ${maxMs} ms` };
    },
    dispose() {
      delay?.dispose();
      delay = undefined;
    },
  };
}

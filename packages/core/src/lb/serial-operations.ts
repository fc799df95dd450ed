import type { LoadBalancerAdapter, LoadBalancerContext } from './adapter';
import { LoadBalancerSupersededError } from './errors';

type Operation = 'register' | 'deregister';

interface Running {
  operation: Operation;
  cancel: AbortController;
  /** Settles (never rejects) when the operation has finished, however it ended. */
  settled: Promise<void>;
}

/**
 * Wraps an adapter so that one load-balancer operation runs at a time: a newer `register`/`deregister`
 * aborts the older one (through its context's signal) and waits for it to settle before it starts.
 * The cancelled operation rejects with a {@link LoadBalancerSupersededError}. So a registration started
 * by `ready()` can never re-register a target that a later drain took out.
 */
export function serialOperations(adapter: LoadBalancerAdapter): LoadBalancerAdapter {
  let current: Running | undefined;

  const run = async (operation: Operation, ctx: LoadBalancerContext): Promise<void> => {
    const previous = current;
    const cancel = new AbortController();
    const signal = AbortSignal.any([ctx.signal, cancel.signal]);
    const op = (async (): Promise<void> => {
      if (previous) {
        previous.cancel.abort(new LoadBalancerSupersededError(previous.operation, operation));
        await previous.settled;
      }
      if (signal.aborted) throw signal.reason;
      await adapter[operation]({ ...ctx, signal });
    })();
    const mine: Running = { operation, cancel, settled: op.then(noop, noop) };
    current = mine;
    try {
      await op;
    } catch (error) {
      // the adapter reports an abort as its own timeout/abort error: say it was superseded instead
      if (cancel.signal.aborted) throw cancel.signal.reason;
      throw error;
    } finally {
      if (current === mine) current = undefined;
    }
  };

  return {
    name: adapter.name,
    register: (ctx) => run('register', ctx),
    deregister: (ctx) => run('deregister', ctx),
  };
}

function noop(): void {}

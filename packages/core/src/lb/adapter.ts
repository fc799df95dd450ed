import type { Logger } from '../logger';
import type { MinHealthyError } from './errors';

/** What a load-balancer adapter gets when zerodown asks it to act. */
export interface LoadBalancerContext {
  /** Fires at the drain deadline (or when the caller gives up). */
  signal: AbortSignal;
  /** Requests in flight in this process right now. */
  inflight: () => number;
  logger: Logger;
  /**
   * `deregister` only: the adapter calls this once its min-healthy guard passed (or was bypassed), just before
   * it asks the load balancer to take the target out. `zd.suspend` fails readiness here, so a refusal by
   * the guard leaves readiness exactly as it was. An adapter that never calls it gets readiness failed
   * after it returns (or fails with anything but a {@link MinHealthyError}).
   */
  onDeregistering?: () => void;
  /**
   * `deregister` only: set when the process exits after this drain regardless (a drain started by a signal,
   * the API or a crash). The adapter then deregisters even when the min-healthy guard would refuse, and logs
   * at warn why, quoting this text.
   */
  bypassGuard?: string;
}

/**
 * A load balancer zerodown can take this instance out of and put back into (ELBv2, HAProxy).
 * `deregister` resolves once the load balancer no longer routes new requests here.
 */
export interface LoadBalancerAdapter {
  readonly name: string;
  deregister(ctx: LoadBalancerContext): Promise<void>;
  register(ctx: LoadBalancerContext): Promise<void>;
}

/** How the app uses its load-balancer adapter. */
export interface UseLoadBalancerOptions {
  /** Deregister at the start of a drain (and of `suspend`); replaces the fixed delay. Default true. */
  deregisterOnDrain?: boolean;
  /** Register after `zd.ready()` (and on `resume`). Default true. */
  registerOnReady?: boolean;
}

import type { Logger } from '../logger';

/** What a load-balancer adapter gets when zerodown asks it to act. */
export interface LoadBalancerContext {
  /** Fires at the drain deadline (or when the caller gives up). */
  signal: AbortSignal;
  /** Requests in flight in this process right now. */
  inflight: () => number;
  logger: Logger;
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

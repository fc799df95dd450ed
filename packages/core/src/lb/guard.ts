import type { LoadBalancerContext } from './adapter';
import type { MinHealthyError } from './errors';

/**
 * What an adapter does when its min-healthy guard refuses: without `ctx.bypassGuard`, nothing (the refusal
 * is thrown); with it, a function that logs at warn why the target is deregistered anyway.
 */
export function guardBypass(ctx: LoadBalancerContext, loadBalancer: string): ((refusal: MinHealthyError) => void) | undefined {
  const why = ctx.bypassGuard;
  if (why === undefined) return undefined;
  return (refusal) => {
    ctx.logger.warn(
      { code: refusal.code, loadBalancer, group: refusal.targetGroup, healthyOthers: refusal.healthyOthers, minHealthy: refusal.minHealthy },
      `zerodown: ${loadBalancer} deregistering anyway although only ${refusal.healthyOthers} other target(s) are healthy in ${refusal.targetGroup} (min-healthy guard: at least ${refusal.minHealthy}), because ${why}`,
    );
  };
}

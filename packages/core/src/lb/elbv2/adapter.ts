import type { LoadBalancerAdapter, LoadBalancerContext } from '../adapter';
import { guardBypass } from '../guard';
import type { LbProgress } from '../progress';
import type { Elbv2TargetGroups } from './target-groups';

/** The target-group code loads on first use (a process that never drains through ELBv2 does not hold it). */
const targetGroups = (): typeof import('./target-groups') => require('./target-groups') as typeof import('./target-groups');
import type { Elbv2Options } from './types';

/** Options of {@link elbv2Adapter}: the target groups' options plus the deregistration guard. */
export interface Elbv2AdapterOptions extends Elbv2Options {
  /** Other healthy targets required in each group before this one is pulled. Default 1. */
  minHealthy?: number;
  /** Deregister even when fewer than `minHealthy` others are healthy. Default false. */
  force?: boolean;
}

/** Logs state changes at info and every other poll at debug. */
function progressLogger(ctx: LoadBalancerContext): (p: LbProgress) => void {
  const last = new Map<string, string>();
  return (p) => {
    const key = `${p.phase}|${p.group}`;
    const entry = { loadBalancer: 'elbv2', phase: p.phase, target: p.target, targetGroup: p.group, state: p.state, reason: p.reason, elapsedMs: p.elapsedMs, deadlineMs: p.deadlineMs };
    if (last.get(key) !== p.state) {
      last.set(key, p.state);
      ctx.logger.info(entry, `zerodown: elbv2 ${p.message ?? p.state}`);
    } else {
      ctx.logger.debug(entry, `zerodown: elbv2 ${p.message ?? p.state}`);
    }
  };
}

/**
 * A {@link LoadBalancerAdapter} for `zd.useLoadBalancer(...)`: on drain, checks the `minHealthy` guard (a refusal
 * throws `MinHealthyError` before anything changes, unless the context bypasses it: then it logs at warn and goes
 * on), deregisters this instance from its ELBv2 target groups and resolves once it is `unused`, or `draining` with
 * no request in flight here; on ready,
 * registers it and resolves once `healthy`. The AWS SDK loads on first use.
 */
export function elbv2Adapter(options: Elbv2AdapterOptions): LoadBalancerAdapter & { targetGroups(): Promise<Elbv2TargetGroups> } {
  let groups: Promise<Elbv2TargetGroups> | undefined;
  const get = (): Promise<Elbv2TargetGroups> => {
    if (!groups) {
      const p = targetGroups().createElbv2TargetGroups(options);
      groups = p;
      p.catch(() => {
        if (groups === p) groups = undefined;
      });
    }
    return groups;
  };
  return {
    name: 'elbv2',
    targetGroups: get,
    async deregister(ctx) {
      const g = await get();
      const target = await g.resolveSelf(ctx.signal);
      ctx.logger.info({ loadBalancer: 'elbv2', target: targetGroups().formatTarget(target), targetGroups: g.targetGroupArns }, 'zerodown: deregistering from the load balancer');
      await g.deregister(target, {
        signal: ctx.signal,
        inflight: ctx.inflight,
        minHealthy: options.minHealthy,
        force: options.force,
        onGuardBypassed: guardBypass(ctx, 'elbv2'),
        onDeregistering: ctx.onDeregistering,
        onProgress: progressLogger(ctx),
      });
    },
    async register(ctx) {
      const g = await get();
      const target = await g.resolveSelf(ctx.signal);
      ctx.logger.info({ loadBalancer: 'elbv2', target: targetGroups().formatTarget(target), targetGroups: g.targetGroupArns }, 'zerodown: registering with the load balancer');
      await g.register(target, { signal: ctx.signal, onProgress: progressLogger(ctx) });
    },
  };
}

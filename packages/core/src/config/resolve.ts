import { createDefaultLogger } from '../logger';
import { ZerodownConfigError } from '../errors';
import { DEFAULTS, type ResolvedOptions, type ZerodownOptions } from './options';
import { quickValidate } from './quick';
import { describeSource, envInt, validate } from './validate';
import { TOKEN_EXPECTED, tokenProblem } from './token';
import { resolveAlertOptions } from '../alerts/options';
import { BREAKER_DEFAULTS } from '../breakers/types';
import { resolveFleetOptions } from '../fleet/types';
import { resolveMonitorOptions } from '../monitors/types';
import { SHEDDING_DEFAULTS } from '../shedding/shedder';
import { resolveControlSocket } from '../control/paths';

/** Validates options and applies env and defaults: code wins over env, env over defaults. */
export function resolveOptions(input: ZerodownOptions | undefined): ResolvedOptions {
  // the common options are checked without zod; zod (and the schemas) load only when needed
  const o = (quickValidate(input ?? {}) ?? validate((require('./schema') as typeof import('./schema')).optionsSchema, input ?? {}, '')) as ZerodownOptions;
  const env = o.env ?? process.env;
  const lb = {
    idleTimeoutMs: o.loadBalancer?.idleTimeoutMs ?? DEFAULTS.loadBalancer.idleTimeoutMs,
    healthCheckIntervalMs: o.loadBalancer?.healthCheckIntervalMs ?? DEFAULTS.loadBalancer.healthCheckIntervalMs,
    unhealthyThreshold: o.loadBalancer?.unhealthyThreshold ?? DEFAULTS.loadBalancer.unhealthyThreshold,
  };
  const delayMs = o.drain?.delayMs ?? envInt(env, 'ZERODOWN_DRAIN_DELAY_MS', 0) ?? lb.healthCheckIntervalMs * lb.unhealthyThreshold;
  const timeoutMs = o.drain?.timeoutMs ?? envInt(env, 'ZERODOWN_DRAIN_TIMEOUT_MS', 1) ?? delayMs + DEFAULTS.drain.extraTimeoutMs;
  if (timeoutMs <= delayMs) {
    // blame where each value came from: the code option, the env variable, or the default
    const timeoutFrom = o.drain?.timeoutMs !== undefined ? 'drain.timeoutMs' : 'ZERODOWN_DRAIN_TIMEOUT_MS';
    const delayFrom = o.drain?.delayMs !== undefined ? 'drain.delayMs' : env.ZERODOWN_DRAIN_DELAY_MS ? 'ZERODOWN_DRAIN_DELAY_MS' : 'the default drain delay (loadBalancer.healthCheckIntervalMs × unhealthyThreshold)';
    throw new ZerodownConfigError(
      timeoutFrom,
      `zerodown: invalid ${describeSource(timeoutFrom)}: expected more than ${delayFrom} (${delayMs}), got ${timeoutMs}; the deadline covers the delay and the in-flight work`,
    );
  }
  const tokenFrom = o.health?.token !== undefined ? 'health.token' : 'ZERODOWN_HEALTH_TOKEN';
  const token = o.health?.token ?? (env.ZERODOWN_HEALTH_TOKEN || undefined);
  const tokenWrong = token === undefined ? undefined : tokenProblem(token);
  if (tokenWrong !== undefined) {
    throw new ZerodownConfigError(tokenFrom, `zerodown: invalid ${describeSource(tokenFrom)}: expected ${TOKEN_EXPECTED}, got <redacted> (${tokenWrong})`);
  }
  const paths = { ...DEFAULTS.health.paths, ...o.health?.paths };
  if (new Set([paths.live, paths.ready, paths.health]).size !== 3) {
    throw new ZerodownConfigError('health.paths', `zerodown: invalid option "health.paths": expected three different paths, got ${JSON.stringify(paths)}`);
  }
  return {
    // the app's own logger object, not the validated copy: a pino logger (symbol-keyed methods, private
    // state on its prototype chain) only works as itself
    logger: input?.logger ?? o.logger ?? createDefaultLogger(),
    serviceName: o.serviceName,
    version: o.version,
    health: {
      paths,
      token,
      exposeDetails: o.health?.exposeDetails ?? DEFAULTS.health.exposeDetails,
      intervalMs: o.health?.intervalMs ?? DEFAULTS.health.intervalMs,
      timeoutMs: o.health?.timeoutMs ?? DEFAULTS.health.timeoutMs,
      eventLoopStallMs: o.health?.eventLoopStallMs ?? DEFAULTS.health.eventLoopStallMs,
      eventLoopIntervalMs: o.health?.eventLoopIntervalMs ?? DEFAULTS.health.eventLoopIntervalMs,
    },
    drain: {
      delayMs,
      timeoutMs,
      signals: o.drain?.signals === false ? [] : (o.drain?.signals ?? [...DEFAULTS.drain.signals]),
      hookTimeoutMs: o.drain?.hookTimeoutMs ?? DEFAULTS.drain.hookTimeoutMs,
      hookBudgetMs: o.drain?.hookBudgetMs ?? DEFAULTS.drain.hookBudgetMs,
      flushTimeoutMs: o.drain?.flushTimeoutMs ?? DEFAULTS.drain.flushTimeoutMs,
      exit: o.drain?.exit ?? DEFAULTS.drain.exit,
    },
    loadBalancer: lb,
    control: resolveControlSocket(o.control?.socket, env, o.serviceName),
    exit: o.exit ?? ((code: number) => process.exit(code)),
    breakers: { ...BREAKER_DEFAULTS, ...o.breakers },
    alerts: resolveAlertOptions(o.alerts, env),
    monitors: resolveMonitorOptions(o.monitors === false ? { enabled: false } : o.monitors),
    shedding: { ...SHEDDING_DEFAULTS, ...o.shedding },
    fleet: resolveFleetOptions(o.fleet, o.serviceName),
  };
}

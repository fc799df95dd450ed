import type { LoadBalancerAdapter, LoadBalancerContext } from '../adapter';
import { guardBypass } from '../guard';
import type { LbProgress } from '../progress';
import type { RetryOptions } from '../retry';
import type { HaproxyRuntimeClient, HaproxySocketAddress } from './runtime-api';
import type { HaproxyWaitOptions } from './server-control';

/** Options of {@link haproxyAdapter}. */
export interface HaproxyAdapterOptions {
  /** The runtime API socket (`stats socket ... level admin`): a UNIX path or host:port. */
  socket: HaproxySocketAddress;
  /** Backend and server name of this instance in haproxy.cfg. */
  backend: string;
  server: string;
  /** Poll interval (ms). Default 250. */
  pollIntervalMs?: number;
  /** Timeout of each runtime API command (ms). Default 5000. */
  commandTimeoutMs?: number;
  /** Other servers of the backend that must be UP before this one is drained. Default 1. */
  minHealthy?: number;
  /** Drain even when fewer than `minHealthy` others are UP. Default false. */
  force?: boolean;
  /** Full-jitter retries of commands that failed transiently (HAProxy restarting), within the operation's deadline. */
  retry?: RetryOptions;
}

function progressLogger(ctx: LoadBalancerContext): (p: LbProgress) => void {
  let last = '';
  return (p) => {
    const entry = { loadBalancer: 'haproxy', phase: p.phase, server: p.target, state: p.state, check: p.reason, elapsedMs: p.elapsedMs };
    if (p.state !== last) ctx.logger.info(entry, `zerodown: haproxy ${p.message ?? p.state}`);
    else ctx.logger.debug(entry, `zerodown: haproxy ${p.message ?? p.state}`);
    last = p.state;
  };
}

/**
 * A {@link LoadBalancerAdapter} for HAProxy: deregister checks that `minHealthy` other servers of the backend
 * are UP, sets the server to `drain` and resolves once HAProxy counts no session on it (or nothing is in flight
 * here); register sets it `ready` and resolves once it is `UP`. Commands that fail transiently are retried
 * (logged at warn) within the operation's deadline.
 */
export function haproxyAdapter(options: HaproxyAdapterOptions): LoadBalancerAdapter & { readonly client: HaproxyRuntimeClient } {
  // (the runtime API code loads here: a process that never uses haproxy does not hold it)
  const { HaproxyRuntimeClient, checkHaproxyName } = require('./runtime-api') as typeof import('./runtime-api');
  const { drainServer, readyServer } = require('./server-control') as typeof import('./server-control');
  checkHaproxyName('backend', options.backend);
  checkHaproxyName('server', options.server);
  const client = new HaproxyRuntimeClient({ socket: options.socket, timeoutMs: options.commandTimeoutMs });
  const common = (ctx: LoadBalancerContext): HaproxyWaitOptions => ({
    signal: ctx.signal,
    pollIntervalMs: options.pollIntervalMs,
    retry: options.retry,
    onProgress: progressLogger(ctx),
    onRetry: (error, attempt, delayMs) =>
      ctx.logger.warn({ loadBalancer: 'haproxy', server: `${options.backend}/${options.server}`, attempt, delayMs, err: error }, `zerodown: haproxy runtime API failed (${(error as Error).message}); retrying in ${delayMs} ms`),
  });
  return {
    name: 'haproxy',
    client,
    deregister: (ctx) =>
      drainServer(client, options.backend, options.server, {
        ...common(ctx),
        inflight: ctx.inflight,
        minHealthy: options.minHealthy,
        force: options.force,
        onGuardBypassed: guardBypass(ctx, 'haproxy'),
        onDeregistering: ctx.onDeregistering,
      }),
    register: (ctx) => readyServer(client, options.backend, options.server, common(ctx)),
  };
}

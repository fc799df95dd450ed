import type { LoadBalancerAdapter, LoadBalancerContext } from '../adapter';
import type { LbProgress } from '../progress';
import { HaproxyRuntimeClient, checkHaproxyName, type HaproxySocketAddress } from './runtime-api';
import { drainServer, readyServer } from './server-control';

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
 * A {@link LoadBalancerAdapter} for HAProxy: deregister sets the server to `drain` and resolves once HAProxy
 * counts no session on it (or nothing is in flight here); register sets it `ready` and resolves once it is `UP`.
 */
export function haproxyAdapter(options: HaproxyAdapterOptions): LoadBalancerAdapter & { readonly client: HaproxyRuntimeClient } {
  checkHaproxyName('backend', options.backend);
  checkHaproxyName('server', options.server);
  const client = new HaproxyRuntimeClient({ socket: options.socket, timeoutMs: options.commandTimeoutMs });
  return {
    name: 'haproxy',
    client,
    deregister: (ctx) => drainServer(client, options.backend, options.server, { signal: ctx.signal, inflight: ctx.inflight, pollIntervalMs: options.pollIntervalMs, onProgress: progressLogger(ctx) }),
    register: (ctx) => readyServer(client, options.backend, options.server, { signal: ctx.signal, pollIntervalMs: options.pollIntervalMs, onProgress: progressLogger(ctx) }),
  };
}

import type { Logger } from '../logger';
import type { AttachableServer } from './server-tracker';

/**
 * Checks the classic ALB 502 conditions: the app's keep-alive timeout must exceed the load balancer's
 * idle timeout, and `headersTimeout` must exceed `keepAliveTimeout`. With `tune`, sets them instead.
 */
export function checkServerTimeouts(server: AttachableServer, lbIdleTimeoutMs: number, logger: Logger, tune: boolean): void {
  const keepAlive = server.keepAliveTimeout;
  const headers = server.headersTimeout;
  if (keepAlive === undefined) return; // http2 servers have neither
  if (tune) {
    if (keepAlive <= lbIdleTimeoutMs) server.keepAliveTimeout = lbIdleTimeoutMs + 5000;
    if (headers !== undefined && headers <= server.keepAliveTimeout!) server.headersTimeout = server.keepAliveTimeout! + 1000;
    return;
  }
  if (keepAlive !== 0 && keepAlive <= lbIdleTimeoutMs) {
    logger.warn(
      { code: 'ZERODOWN_KEEPALIVE_TIMEOUT', keepAliveTimeout: keepAlive, loadBalancerIdleTimeoutMs: lbIdleTimeoutMs },
      `zerodown: server.keepAliveTimeout (${keepAlive} ms) is not above the load balancer's idle timeout (${lbIdleTimeoutMs} ms): the load balancer may reuse a connection the app is closing and answer 502. Fix: server.keepAliveTimeout = ${lbIdleTimeoutMs + 5000}; server.headersTimeout = ${lbIdleTimeoutMs + 6000} (or zd.attach(server, { tuneTimeouts: true }))`,
    );
  }
  if (headers !== undefined && headers !== 0 && keepAlive !== 0 && headers <= keepAlive) {
    logger.warn(
      { code: 'ZERODOWN_HEADERS_TIMEOUT', headersTimeout: headers, keepAliveTimeout: keepAlive },
      `zerodown: server.headersTimeout (${headers} ms) is not above server.keepAliveTimeout (${keepAlive} ms). Fix: server.headersTimeout = ${keepAlive + 1000}`,
    );
  }
}

import type { IncomingMessage, ServerResponse } from 'node:http';
import { ZerodownConfigError, type Zerodown } from '@zerodown/core';

/** An Express-compatible middleware (typed with node:http types so users need no @types/express). */
export type ZerodownMiddleware = (req: IncomingMessage, res: ServerResponse, next: (err?: unknown) => void) => void;

/**
 * Express middleware answering the probe paths (`/livez`, `/readyz`, `/health` by default) from
 * zerodown's cache; every other request goes on to the app untouched. Mount it first, at the root.
 * Drain needs the server too: `zd.attach(app.listen(port))`.
 */
export function zerodownExpress(zd: Zerodown): ZerodownMiddleware {
  if (!zd || typeof zd.probes?.respond !== 'function') {
    throw new ZerodownConfigError('zd', 'zerodownExpress: expected a zerodown instance, e.g. zerodownExpress(zerodown())');
  }
  const probes = zd.probes;
  const shedding = zd.shedding;
  const gate = probes.gate();
  if (!shedding.options.enabled && gate !== undefined) {
    // most URLs are told apart from the probe paths by their second character: no probe lookup for them
    return function zerodownProbes(req, res, next) {
      const url = req.url;
      let c: number;
      if (url !== undefined && (c = url.charCodeAt(1)) < 128 && gate[c] === 1 && probes.handle(req, res)) return;
      next();
    };
  }
  return function zerodownProbes(req, res, next) {
    if (probes.handle(req, res)) return;
    // load shedding (opt-in): ordinary routes get 503 + Retry-After while overloaded, probes never do
    if (shedding.shouldShed()) return shedding.reject(res);
    next();
  };
}

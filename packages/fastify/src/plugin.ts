import type { FastifyInstance, FastifyPluginAsync, FastifyReply, FastifyRequest, HTTPMethods, RouteOptions } from 'fastify';
import fp from 'fastify-plugin';
import { ZerodownConfigError, type AttachableServer, type ProbeKind, type ProbeMatching, type Zerodown } from '@zerodown/core';

/** Options of the zerodown Fastify plugin. */
export interface ZerodownFastifyOptions {
  /** The process's zerodown instance. */
  zerodown: Zerodown;
  /** Set the server's keep-alive/headers timeouts above the load balancer's idle timeout. Default false (warn instead). */
  tuneTimeouts?: boolean;
  /**
   * Also register the probe paths as Fastify routes, so `fastify.inject()` (which does not go through
   * the server) gets the probe answers in your tests. Default false: real traffic's probes are answered
   * in front of Fastify, and routes would cost every request a little in the router.
   */
  probeRoutes?: boolean;
}

declare module 'fastify' {
  interface FastifyInstance {
    /** The zerodown instance registered with `@zerodown/fastify`. */
    zerodown: Zerodown;
  }
}

const OTHER_METHODS: HTTPMethods[] = ['DELETE', 'OPTIONS', 'PATCH', 'POST', 'PUT'];
const ALL_METHODS: HTTPMethods[] = ['GET', 'HEAD', ...OTHER_METHODS];

/** Fastify's router options that decide which URLs name a route (read from `fastify.initialConfig`). */
function routerMatching(fastify: FastifyInstance): ProbeMatching {
  const config = fastify.initialConfig as { routerOptions?: RouterMatchOptions } & RouterMatchOptions;
  const o = config.routerOptions ?? config;
  return { ignoreTrailingSlash: o.ignoreTrailingSlash === true, caseInsensitive: o.caseSensitive === false, ignoreDuplicateSlashes: o.ignoreDuplicateSlashes === true };
}

interface RouterMatchOptions {
  ignoreTrailingSlash?: boolean;
  caseSensitive?: boolean;
  ignoreDuplicateSlashes?: boolean;
}

const plugin: FastifyPluginAsync<ZerodownFastifyOptions> = async (fastify: FastifyInstance, opts: ZerodownFastifyOptions) => {
  const zd = opts?.zerodown;
  if (!zd || typeof zd.probes?.respond !== 'function') {
    throw new ZerodownConfigError('zerodown', '@zerodown/fastify: expected option "zerodown" to be a zerodown instance, e.g. fastify.register(zerodownFastify, { zerodown: zd })');
  }
  if (opts.probeRoutes !== undefined && typeof opts.probeRoutes !== 'boolean') {
    throw new ZerodownConfigError('probeRoutes', `@zerodown/fastify: expected option "probeRoutes" to be true or false, got ${typeof opts.probeRoutes}`);
  }
  fastify.decorate('zerodown', zd);
  const probes = zd.probes;
  const paths = zd.options.health.paths;
  const probePaths: Array<[string, ProbeKind]> = [[paths.live, 'live'], [paths.ready, 'ready'], [paths.health, 'health']];
  const matching = routerMatching(fastify);

  if (opts.probeRoutes === true) {
    // as routes, for fastify.inject (Fastify itself refuses an app route at the same path and method)
    for (const [url, kind] of probePaths) {
      const handler = (req: FastifyRequest, reply: FastifyReply): void => {
        const r = probes.respond(kind, req.method, req.headers.authorization);
        reply.code(r.statusCode).headers(r.headers).send(req.method === 'HEAD' ? undefined : r.body);
      };
      fastify.route({ method: ['GET', 'HEAD'], url, exposeHeadRoute: false, logLevel: 'warn', handler });
      // answer 405 before any body parsing (a POST with an unknown content type would otherwise get 415)
      fastify.route({ method: OTHER_METHODS, url, logLevel: 'warn', onRequest: async (req, reply) => {
        handler(req, reply);
        return reply; // answered: fastify skips body parsing and the route handler
      }, handler });
    }
  } else {
    // Not routes: every route in the router costs every request a little (3 static routes: ~10k
    // instructions per request of a one-route app, bench/results/instructions.md). An app route at a
    // probe path would never see real traffic (answered in front of Fastify): refused, as Fastify
    // refuses a duplicate route.
    const refuse = (url: string, method: unknown): never => {
      const kind = probes.matchLoosely(url, matching);
      throw new ZerodownConfigError(
        'health.paths',
        `@zerodown/fastify: a route at ${url} (${String(method)}) would never get a request: zerodown answers its ${kind} probe there in front of Fastify; expected the app's routes to use other paths, or health.paths to name free ones`,
      );
    };
    for (const [url] of probePaths) for (const method of ALL_METHODS) if (fastify.hasRoute({ url, method })) refuse(url, method);
    fastify.addHook('onRoute', (route: RouteOptions) => {
      if (probes.matchLoosely(route.url, matching) !== undefined) refuse(route.url, route.method);
    });
  }

  // load shedding (opt-in): ordinary routes get 503 + Retry-After while overloaded, probes never do
  // (the hook is added only when shedding is enabled: a hook costs every request something)
  const shedding = zd.shedding;
  if (shedding.options.enabled) {
    fastify.addHook('onRequest', (req, reply, done) => {
      if (!shedding.shouldShed() || probes.matchLoosely(req.url, matching) !== undefined) return done();
      const r = shedding.response();
      void reply.code(r.statusCode).headers(r.headers).send(r.body);
    });
  }
  // connections and in-flight requests are tracked on the node server; the drain stops it itself, then
  // runs fastify.close() as the last cleanup hook so the app's onClose hooks run after in-flight work.
  // Probe URLs are matched as Fastify's router would match them (trailing slash, case, duplicate slashes).
  const attachOptions = { tuneTimeouts: opts.tuneTimeouts ?? false, probeMatching: matching };
  zd.attach(fastify.server, attachOptions);
  // Fastify listens on every address its host resolves to (the default 'localhost': 127.0.0.1 and ::1),
  // each extra one on a server of its own, created at listen: attached once listening
  fastify.addHook('onListen', async () => {
    for (const server of extraServers(fastify)) zd.attach(server, attachOptions);
  });
  let closing = false;
  zd.onShutdown('fastify.close', async () => {
    closing = true;
    await fastify.close();
  });
  fastify.addHook('onClose', async () => {
    // fastify.close() called by the app (not by a drain): stop zerodown's timers and signal handlers
    if (!closing && zd.state !== 'draining') zd.dispose();
  });
};

/**
 * The servers Fastify created for its extra addresses (beyond `fastify.server`). Fastify keeps them
 * under a private symbol (`fastify.serverBindings`, Fastify 4 and 5); none when it is not found.
 */
function extraServers(fastify: FastifyInstance): AttachableServer[] {
  for (let o: object | null = fastify; o !== null; o = Object.getPrototypeOf(o) as object | null) {
    const key = Object.getOwnPropertySymbols(o).find((s) => s.description === 'fastify.serverBindings');
    if (key === undefined) continue;
    const list = (o as Record<symbol, unknown>)[key];
    return Array.isArray(list) ? list.filter((s): s is AttachableServer => s !== fastify.server && typeof (s as AttachableServer)?.prependListener === 'function') : [];
  }
  return [];
}

/**
 * Fastify plugin: probes answered in front of Fastify (and, with `probeRoutes`, as routes for
 * `fastify.inject`), `fastify.zerodown` decorator, drain integration with `fastify.close()`.
 */
export const zerodownFastify = fp(plugin, { fastify: '5.x', name: '@zerodown/fastify' });

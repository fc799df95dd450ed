import type { FastifyInstance, FastifyPluginAsync, FastifyReply, FastifyRequest, HTTPMethods, RouteOptions } from 'fastify';
import fp from 'fastify-plugin';
import { ZerodownConfigError, type ProbeKind, type Zerodown } from '@zerodown/core';

/** Options of the zerodown Fastify plugin. */
export interface ZerodownFastifyOptions {
  /** The process's zerodown instance. */
  zerodown: Zerodown;
  /** Set the server's keep-alive/headers timeouts above the load balancer's idle timeout. Default false (warn instead). */
  tuneTimeouts?: boolean;
}

declare module 'fastify' {
  interface FastifyInstance {
    /** The zerodown instance registered with `@zerodown/fastify`. */
    zerodown: Zerodown;
  }
}

const OTHER_METHODS: HTTPMethods[] = ['DELETE', 'OPTIONS', 'PATCH', 'POST', 'PUT'];

const plugin: FastifyPluginAsync<ZerodownFastifyOptions> = async (fastify: FastifyInstance, opts: ZerodownFastifyOptions) => {
  const zd = opts?.zerodown;
  if (!zd || typeof zd.probes?.respond !== 'function') {
    throw new ZerodownConfigError('zerodown', '@zerodown/fastify: expected option "zerodown" to be a zerodown instance, e.g. fastify.register(zerodownFastify, { zerodown: zd })');
  }
  fastify.decorate('zerodown', zd);
  const probes = zd.probes;
  const paths = zd.options.health.paths;
  const probePaths: Array<[string, ProbeKind]> = [[paths.live, 'live'], [paths.ready, 'ready'], [paths.health, 'health']];
  const answer = (kind: ProbeKind, req: FastifyRequest, reply: FastifyReply): FastifyReply => {
    const r = probes.respond(kind, req.method, req.headers.authorization);
    return reply.code(r.statusCode).headers(r.headers).send(req.method === 'HEAD' ? undefined : r.body);
  };

  // Real traffic's probes are answered in front of Fastify by zd.attach (below). fastify.inject() does not
  // go through the server, so the probe paths must answer inside Fastify too — but not as routes: every
  // route in the router costs every request a little (3 static routes: ~10k instructions per request of
  // a one-route app, bench/results/instructions.md). A not-found handler scoped to each probe path is
  // looked up only when no route matched, so ordinary requests never see it.
  for (const [url, kind] of probePaths) {
    if (url === '/') {
      addProbeRoutes(fastify, [[url, kind]], answer); // a prefix '/' would replace the app's own not-found handler
      continue;
    }
    await fastify.register(
      async (scope) => {
        // onRequest: answered before any body parsing (a POST with an unknown content type gets 405, not 415)
        scope.addHook('onRequest', async (req, reply) => {
          if (probes.match(req.url) !== kind) return notFound(req, reply); // '/livez/more': not a probe
          return answer(kind, req, reply);
        });
        scope.setNotFoundHandler(notFound);
      },
      { prefix: url, logLevel: 'warn' },
    );
  }

  // A route the app adds could take the probe paths from fastify.inject(): one at the same path (an error:
  // inject and real traffic would answer differently), or a parametric or wildcard route that matches them
  // ('/:page', '/*'); static routes win over those in Fastify's router, so the probes then become routes.
  let probeRoutes = false;
  let adding = false;
  fastify.addHook('onRoute', (route: RouteOptions) => {
    if (adding) return;
    const url = route.url;
    const exact = probePaths.find(([p]) => p === url);
    if (exact) {
      throw new ZerodownConfigError(
        'health.paths',
        `@zerodown/fastify: a route at ${url} (${String(route.method)}) would shadow zerodown's ${exact[1]} probe; expected the app's routes to use other paths, or health.paths to name free ones`,
      );
    }
    if (probeRoutes) return;
    const dynamic = url.search(/[:*(]/);
    if (dynamic === -1) return;
    const fixed = url.slice(0, dynamic);
    if (!probePaths.some(([p]) => p.startsWith(fixed))) return;
    probeRoutes = true;
    adding = true;
    try {
      addProbeRoutes(fastify, probePaths.filter(([p]) => p !== '/'), answer);
    } finally {
      adding = false;
    }
  });

  // load shedding (opt-in): ordinary routes get 503 + Retry-After while overloaded, probes never do
  // (the hook is added only when shedding is enabled: a hook costs every request something)
  const shedding = zd.shedding;
  if (shedding.options.enabled) {
    fastify.addHook('onRequest', (req, reply, done) => {
      if (!shedding.shouldShed() || probes.match(req.url) !== undefined) return done();
      const r = shedding.response();
      void reply.code(r.statusCode).headers(r.headers).send(r.body);
    });
  }
  // connections and in-flight requests are tracked on the node server; the drain stops it itself, then
  // runs fastify.close() as the last cleanup hook so the app's onClose hooks run after in-flight work.
  zd.attach(fastify.server, { tuneTimeouts: opts.tuneTimeouts ?? false });
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

/** Fastify's own 404 answer, for a path under a probe path that is not the probe itself. */
function notFound(req: FastifyRequest, reply: FastifyReply): FastifyReply {
  return reply.code(404).send({ message: `Route ${req.method}:${req.url} not found`, error: 'Not Found', statusCode: 404 });
}

/** The probe paths as static routes (GET/HEAD answer; other methods get 405 before body parsing). */
function addProbeRoutes(
  fastify: FastifyInstance,
  probePaths: Array<[string, ProbeKind]>,
  answer: (kind: ProbeKind, req: FastifyRequest, reply: FastifyReply) => FastifyReply,
): void {
  for (const [url, kind] of probePaths) {
    const handler = (req: FastifyRequest, reply: FastifyReply): FastifyReply => answer(kind, req, reply);
    fastify.route({ method: ['GET', 'HEAD'], url, exposeHeadRoute: false, logLevel: 'warn', handler });
    fastify.route({ method: OTHER_METHODS, url, logLevel: 'warn', onRequest: async (req, reply) => answer(kind, req, reply), handler });
  }
}

/** Fastify plugin: probe answers for `fastify.inject`, `fastify.zerodown` decorator, drain integration with `fastify.close()`. */
export const zerodownFastify = fp(plugin, { fastify: '5.x', name: '@zerodown/fastify' });

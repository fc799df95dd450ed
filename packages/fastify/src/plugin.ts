import type { FastifyInstance, FastifyPluginAsync, FastifyReply, FastifyRequest, HTTPMethods } from 'fastify';
import fp from 'fastify-plugin';
import { ZerodownConfigError, type Zerodown } from '@zerodown/core';

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
  for (const [url, kind] of [[paths.live, 'live'], [paths.ready, 'ready'], [paths.health, 'health']] as const) {
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

/** Fastify plugin: probe routes, `fastify.zerodown` decorator, drain integration with `fastify.close()`. */
export const zerodownFastify = fp(plugin, { fastify: '5.x', name: '@zerodown/fastify' });

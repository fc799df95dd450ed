// Fastify example (ESM): zerodown plugin, dependency checks and graceful drain.
// Run: npm run build && node examples/fastify-app/server.js   (PORT, REDIS_URL, ZERODOWN_* env)
import Fastify from 'fastify';
import { zerodown, redisCheck } from '@zerodown/core';
import { zerodownFastify } from '@zerodown/fastify';

const zd = zerodown({ serviceName: 'fastify-app' });
const app = Fastify({ logger: false });
await app.register(zerodownFastify, { zerodown: zd, tuneTimeouts: true });

app.get('/', async () => 'hello from zerodown fastify-app\n');
app.get('/work', async (req, reply) => {
  const ms = Number(req.query.ms ?? 0);
  if (!Number.isInteger(ms) || ms < 0 || ms > 60000) return reply.code(400).send({ error: 'ms must be a whole number between 0 and 60000' });
  await new Promise((resolve) => setTimeout(resolve, ms));
  return { worked: ms };
});

if (process.env.REDIS_URL) {
  const { default: Redis } = await import('ioredis');
  const redis = new Redis(process.env.REDIS_URL, { maxRetriesPerRequest: 1, enableOfflineQueue: false });
  redis.on('error', () => {});
  zd.health.register('redis', redisCheck(redis), { critical: true, timeoutMs: 500, intervalMs: 1000 });
  zd.onShutdown('redis', () => redis.quit().then(() => undefined));
}

const address = await app.listen({ port: Number(process.env.PORT ?? 3000), host: '127.0.0.1' });
zd.logger.info({ url: address }, `fastify-app listening on ${address}/ (probes: /livez /readyz /health)`);
zd.ready();

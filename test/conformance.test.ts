/**
 * One conformance suite, four setups: plain node:http, Express (probes answered by zd.attach in front of
 * the app), Express with the @zerodown/express middleware serving the probes, and Fastify run the same fixture app
 * (test/fixtures/conformance-app.js) as a child process against the built packages; the tests send real
 * keep-alive traffic with undici, real signals, and a real redis-server the test owns.
 */
import { connect } from 'node:net';
import { Client, Pool } from 'undici';
import { startApp, waitFor, type AppProcess } from './helpers/app-process';
import { startRedis, type RedisServer } from './helpers/redis-server';

const FRAMEWORKS = ['node', 'express', 'express-middleware', 'fastify'] as const;
const FIXTURE = 'test/fixtures/conformance-app.js';
const TOKEN = 'test-token-0123456789abcdef';

interface Outcome {
  status?: number;
  connection?: string;
  body?: string;
  error?: string;
}

async function get(dispatcher: Client | Pool, path: string, headers: Record<string, string> = {}): Promise<Outcome> {
  try {
    const res = await dispatcher.request({ path, method: 'GET', headers });
    const body = await res.body.text();
    const c = res.headers.connection;
    return { status: res.statusCode, connection: Array.isArray(c) ? c.join(',') : c, body };
  } catch (error) {
    const e = error as { code?: string; message?: string };
    return { error: e.code ?? e.message ?? String(error) };
  }
}

function stderrHas(app: AppProcess, text: string): boolean {
  return app.stderr().includes(text);
}

/** Resolves once the app has started `n` /work requests (its `work` events). */
function workStarted(app: AppProcess, n: number): Promise<void> {
  return waitFor(() => app.events.filter((e) => e.event === 'work').length >= n, 15000, `${n} /work request(s) in flight`);
}

describe.each(FRAMEWORKS)('conformance: %s', (framework) => {
  const apps: AppProcess[] = [];
  const dispatchers: Array<Client | Pool> = [];
  const start = async (env: Record<string, string> = {}): Promise<AppProcess> => {
    const app = await startApp(FIXTURE, { FRAMEWORK: framework, ZERODOWN_HEALTH_TOKEN: TOKEN, ...env });
    apps.push(app);
    return app;
  };
  const client = <T extends Client | Pool>(d: T): T => {
    dispatchers.push(d);
    return d;
  };
  afterEach(async () => {
    await Promise.all(dispatchers.splice(0).map((d) => d.destroy().catch(() => {})));
    for (const a of apps.splice(0)) a.kill('SIGKILL');
  });

  test('SIGTERM with requests in flight on keep-alive connections: all complete 200 with Connection: close, exit 0', async () => {
    const app = await start({ ZERODOWN_DRAIN_DELAY_MS: '300', ZERODOWN_DRAIN_TIMEOUT_MS: '15000' });
    const pool = client(new Pool(app.url, { connections: 8 }));
    // warm the keep-alive connections, then put a slow request on each
    const warm = await Promise.all(Array.from({ length: 8 }, () => get(pool, '/')));
    expect(warm.every((o) => o.status === 200 && o.connection === 'keep-alive')).toBe(true);
    const inflight = Array.from({ length: 8 }, () => get(pool, '/work?ms=3000'));
    await workStarted(app, 8);
    app.kill('SIGTERM');
    const results = await Promise.all(inflight);
    for (const r of results) {
      expect(r.error).toBeUndefined();
      expect(r.status).toBe(200);
      expect(r.connection).toBe('close'); // the server stopped accepting before these responses
    }
    expect(await app.exited).toBe(0);
    expect(stderrHas(app, 'exit code 0')).toBe(true);
  });

  test('during the delay: new connections are served 200, /readyz 503, /livez 200; after it new connections are refused', async () => {
    const app = await start({ ZERODOWN_DRAIN_DELAY_MS: '1500', ZERODOWN_DRAIN_TIMEOUT_MS: '15000' });
    const before = client(new Client(app.url));
    expect((await get(before, '/readyz')).status).toBe(200);
    const long = get(client(new Client(app.url)), '/work?ms=6000'); // keeps the process alive past the delay
    await workStarted(app, 1);
    app.kill('SIGTERM');
    await waitFor(() => stderrHas(app, 'drain started'), 3000, 'drain start');
    const fresh = client(new Client(app.url));
    const hello = await get(fresh, '/');
    expect(hello.status).toBe(200);
    expect(hello.body).toContain('hello');
    expect((await get(fresh, '/readyz')).status).toBe(503);
    expect((await get(fresh, '/livez')).status).toBe(200);
    expect((await get(client(new Client(app.url)), '/health')).status).toBe(503);
    await waitFor(() => stderrHas(app, 'stopped accepting'), 5000, 'stop accepting');
    expect(app.child.exitCode).toBeNull();
    const refused = await get(client(new Client(app.url)), '/');
    expect(refused.error).toBe('ECONNREFUSED');
    expect((await long).status).toBe(200);
    expect(await app.exited).toBe(0);
  });

  test('idle keep-alive connections do not delay exit beyond the in-flight work', async () => {
    const app = await start({ ZERODOWN_DRAIN_DELAY_MS: '100', ZERODOWN_DRAIN_TIMEOUT_MS: '30000' });
    const idle = client(new Pool(app.url, { connections: 6, keepAliveTimeout: 120000, keepAliveMaxTimeout: 120000 }));
    const warm = await Promise.all(Array.from({ length: 6 }, () => get(idle, '/')));
    expect(warm.every((o) => o.status === 200)).toBe(true);
    const work = get(client(new Client(app.url)), '/work?ms=800');
    await workStarted(app, 1);
    const t0 = Date.now();
    app.kill('SIGTERM');
    expect((await work).status).toBe(200);
    expect(await app.exited).toBe(0);
    // the server's keep-alive timeout is 65 s (tuned for the ALB); exit follows the in-flight work instead
    // (a generous bound for a busy machine, still far below 65 s)
    expect(Date.now() - t0).toBeLessThan(20000);
  });

  test('a request longer than the deadline gets 503 + Connection: close at the deadline and the exit code is 1', async () => {
    const app = await start({ ZERODOWN_DRAIN_DELAY_MS: '100', ZERODOWN_DRAIN_TIMEOUT_MS: '1200' });
    const slow = get(client(new Client(app.url)), '/work?ms=20000');
    await workStarted(app, 1);
    const t0 = Date.now();
    app.kill('SIGTERM');
    const r = await slow;
    expect(r.status).toBe(503);
    expect(r.connection).toBe('close');
    expect(await app.exited).toBe(1);
    expect(Date.now() - t0).toBeLessThan(1200 + 12000); // generous for a busy machine, below the 20 s of the request
    expect(stderrHas(app, 'drain deadline of 1200 ms reached: cut 1 connection(s) with 1 request(s) in flight: request in flight GET /work (answered 503)')).toBe(true);
  });

  test('a hung cleanup hook is abandoned at its own timeout and the next hook still runs', async () => {
    // registered first → runs last (reverse order)
    const app = await start({ ZERODOWN_DRAIN_DELAY_MS: '0', ZERODOWN_DRAIN_TIMEOUT_MS: '20000', HOOKS: 'after:ok,stuck:hang:300' });
    const t0 = Date.now();
    app.kill('SIGTERM');
    const code = await app.exited;
    const hooks = app.events.filter((e) => e.event === 'hook').map((e) => `${e.name as string}:${e.phase as string}`);
    expect(hooks.indexOf('stuck:start')).toBeGreaterThanOrEqual(0);
    expect(hooks).toContain('after:done');
    expect(hooks.indexOf('after:done')).toBeGreaterThan(hooks.indexOf('stuck:start'));
    expect(hooks).not.toContain('stuck:done');
    expect(stderrHas(app, 'shutdown hook \\"stuck\\" abandoned after 300 ms')).toBe(true);
    expect(code).toBe(0); // every request drained; the hook failure is logged, not a forced drain
    expect(Date.now() - t0).toBeLessThan(15000); // generous for a busy machine, below the 20 s drain deadline
    if (framework === 'fastify') expect(hooks).toContain('fastify.onClose:done');
  });

  test('50 concurrent probes within one interval cause exactly one run of a check', async () => {
    const app = await start({ CHECK_INTERVAL_MS: '60000' });
    const pool = client(new Pool(app.url, { connections: 10 }));
    await waitFor(async () => JSON.parse((await get(pool, '/check-runs')).body ?? '{}').runs === 1, 3000, 'first check run');
    const probes = await Promise.all(
      Array.from({ length: 50 }, (_, i) => get(pool, ['/readyz', '/health', '/livez'][i % 3]!, i % 2 ? { authorization: `Bearer ${TOKEN}` } : {})),
    );
    expect(probes.every((p) => p.status === 200)).toBe(true);
    expect(JSON.parse((await get(pool, '/check-runs')).body!).runs).toBe(1);
  });

  test('/health shows only the status without the token, details with it', async () => {
    const app = await start();
    const c = client(new Client(app.url));
    const pub = await get(c, '/health');
    expect(pub.status).toBe(200);
    expect(JSON.parse(pub.body!)).toEqual({ status: 'pass' });
    const wrong = await get(c, '/health', { authorization: 'Bearer not-the-token-0000000' });
    expect(JSON.parse(wrong.body!)).toEqual({ status: 'pass' });
    const res = await c.request({ path: '/health', method: 'GET', headers: { authorization: `Bearer ${TOKEN}` } });
    expect(res.headers['content-type']).toMatch(/^application\/health\+json(; charset=utf-8)?$/);
    const detail = (await res.body.json()) as { status: string; version: string; checks: Record<string, Array<{ componentType: string; status: string; time: string }>> };
    expect(detail.status).toBe('pass');
    expect(detail.version).toBe('1.2.3');
    expect(detail.checks['custom:responseTime']![0]!.componentType).toBe('component');
    expect(detail.checks['eventloop:eventLoopDelay']![0]!.status).toBe('pass');
    expect(typeof detail.checks['custom:responseTime']![0]!.time).toBe('string');
  });

  test('probe paths reject other methods with 405 + Allow, answer HEAD, ignore query strings', async () => {
    const app = await start();
    const c = client(new Client(app.url));
    const post = await c.request({ path: '/readyz', method: 'POST', body: 'x' });
    await post.body.dump();
    expect(post.statusCode).toBe(405);
    expect(post.headers.allow).toBe('GET, HEAD');
    const head = await c.request({ path: '/livez', method: 'HEAD' });
    await head.body.dump();
    expect(head.statusCode).toBe(200);
    const q = await get(c, '/readyz?verbose=1&x=%00%ff');
    expect(q.status).toBe(200);
    expect(JSON.parse(q.body!)).toEqual({ status: 'pass' });
    expect((await get(c, '/')).status).toBe(200);
  });

  test('garbage on the socket and odd probe requests never crash the app or leak details', async () => {
    const app = await start();
    const raw = (payload: string): Promise<string> =>
      new Promise((resolve) => {
        const sock = connect(app.port, '127.0.0.1');
        let got = '';
        sock.setEncoding('utf8').on('data', (d: string) => (got += d));
        sock.on('error', () => {});
        sock.on('close', () => resolve(got));
        sock.write(payload);
        setTimeout(() => sock.destroy(), 1000).unref();
      });
    const answers = await Promise.all([
      raw('\x00\x01\x02garbage\r\n\r\n'),
      raw('GET /readyz HTTP/9.9\r\n\r\n'),
      raw('GET /health HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer\r\nConnection: close\r\n\r\n'),
      raw(`GET /health HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer ${TOKEN}x\r\nConnection: close\r\n\r\n`),
      raw(`GET /health HTTP/1.1\r\nHost: x\r\nAuthorization: Basic ${Buffer.from(`u:${TOKEN}`).toString('base64')}\r\nConnection: close\r\n\r\n`),
      raw(`GET /readyz HTTP/1.1\r\nHost: x\r\nX-Big: ${'a'.repeat(20000)}\r\nConnection: close\r\n\r\n`),
      raw('GET /readyz?%zz HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n'),
    ]);
    for (const a of answers) {
      expect(a).not.toMatch(/"checks"|"version"|conformance-|1\.2\.3/);
    }
    expect(answers[2]).toMatch(/^HTTP\/1\.1 200/);
    expect(answers[2]).toContain('{"status":"pass"}');
    expect(answers[3]).toContain('{"status":"pass"}');
    const c = client(new Client(app.url));
    expect((await get(c, '/')).status).toBe(200);
    expect((await get(c, '/readyz')).status).toBe(200);
    expect(app.child.exitCode).toBeNull();
  });

  describe('with a real Redis the test owns', () => {
    let redis: RedisServer;
    beforeAll(async () => {
      redis = await startRedis();
    });
    afterAll(async () => {
      await redis?.stop();
    });

    test('Redis stopped mid-test turns the critical check to fail (/readyz 503) within interval + timeout, and back on recovery; the app never crashes', async () => {
      const app = await start({ REDIS_URL: redis.url, REDIS_INTERVAL_MS: '500', REDIS_TIMEOUT_MS: '300' });
      const c = client(new Pool(app.url, { connections: 2 }));
      await waitFor(async () => (await get(c, '/readyz')).status === 200, 5000, 'ready with redis');
      const t0 = Date.now();
      await redis.stop();
      await waitFor(async () => (await get(c, '/readyz')).status === 503, 5000, '/readyz 503 after redis stopped');
      expect(Date.now() - t0).toBeLessThan(500 + 300 + 4000); // interval + timeout, plus generous slack for a busy machine
      expect((await get(c, '/')).status).toBe(200); // ordinary routes keep serving
      expect((await get(c, '/livez')).status).toBe(200);
      const detail = JSON.parse((await get(c, '/readyz', { authorization: `Bearer ${TOKEN}` })).body!) as { checks: Record<string, Array<{ status: string; output: string }>> };
      expect(detail.checks['redis:responseTime']![0]!.status).toBe('fail');
      await redis.start();
      await waitFor(async () => (await get(c, '/readyz')).status === 200, 8000, '/readyz 200 after redis came back');
      expect(app.child.exitCode).toBeNull();
    });

    test('50 concurrent probes cause at most one PING on Redis', async () => {
      const app = await start({ REDIS_URL: redis.url, REDIS_INTERVAL_MS: '10000', REDIS_TIMEOUT_MS: '2000' });
      const c = client(new Pool(app.url, { connections: 10 }));
      // the check's first run may come before the client has connected: the next is one 10 s interval later
      await waitFor(async () => (await get(c, '/readyz')).status === 200, 10000 + 2000 + 10000, 'ready with redis');
      const pings = async (): Promise<number> => {
        const { default: Redis } = await import('ioredis');
        const r = new Redis(redis.url, { lazyConnect: true });
        await r.connect();
        const text = await r.info('commandstats');
        r.disconnect();
        return Number(/cmdstat_ping:calls=(\d+)/.exec(text)?.[1] ?? 0);
      };
      const before = await pings();
      const probes = await Promise.all(Array.from({ length: 50 }, (_, i) => get(c, i % 2 ? '/readyz' : '/health')));
      expect(probes.every((p) => p.status === 200)).toBe(true);
      const after = await pings();
      expect(after - before).toBeLessThanOrEqual(1);
    });
  });
});


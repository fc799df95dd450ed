import { execFile } from 'node:child_process';
import path from 'node:path';
import Fastify, { type FastifyServerOptions } from 'fastify';
import { zerodown, silentLogger } from '@zerodown/core';
import { zerodownFastify, type ZerodownFastifyOptions } from './plugin';

const FIXTURE = path.join(__dirname, '../../../test/fixtures/fastify-inject.js');

type Row = [method: string, url: string, status: number, body: string, contentType: string | null];

/** Runs the inject fixture (a child process: light-my-request loads an ES module Jest cannot require on Node 20). */
function injected(scenario: string): Promise<{ results?: Row[]; routes?: string; error?: { code: string; message: string } }> {
  return new Promise((resolve, reject) => {
    execFile(process.execPath, [FIXTURE, scenario], { timeout: 60_000 }, (error, stdout, stderr) => {
      if (error) return reject(new Error(`${error.message}\n${stderr}`));
      resolve(JSON.parse(stdout));
    });
  });
}

const PROBE = '{"status":"pass"}';
const notFound = (url: string) => `{"message":"Route GET:${url} not found","error":"Not Found","statusCode":404}`;

/** A listening app with the plugin; `get` fetches over real HTTP. */
async function served(fastifyOptions: FastifyServerOptions = {}, pluginOptions: Partial<ZerodownFastifyOptions> = {}, routes: (f: ReturnType<typeof Fastify>) => void = () => {}) {
  const zd = zerodown({ logger: silentLogger, drain: { signals: false }, monitors: false, control: { socket: false } });
  const f = Fastify(fastifyOptions);
  await f.register(zerodownFastify, { zerodown: zd, ...pluginOptions });
  f.get('/', async () => 'root');
  routes(f);
  await f.listen({ port: 0, host: '127.0.0.1' });
  zd.ready();
  const port = (f.server.address() as { port: number }).port;
  const get = async (u: string, init?: RequestInit): Promise<[number, string]> => {
    const r = await fetch(`http://127.0.0.1:${port}${u}`, init);
    return [r.status, await r.text()];
  };
  return { f, zd, get };
}

describe('@zerodown/fastify', () => {
  test('real traffic: probes answered in front of Fastify (405 for other methods, before body parsing), ordinary routes and a catch-all by the app', async () => {
    const { f, get } = await served({}, {}, (a) => a.get('/*', async () => 'catch-all'));
    expect(await get('/readyz')).toEqual([200, PROBE]);
    expect(await get('/livez?x=1')).toEqual([200, PROBE]);
    expect(await get('/readyz', { method: 'POST', body: 'x', headers: { 'content-type': 'weird/x' } })).toEqual([405, '{"status":"fail","output":"method not allowed"}']);
    expect(await get('/x')).toEqual([200, 'catch-all']);
    expect(await get('/readyz/')).toEqual([200, 'catch-all']); // exact paths only, as the router matches by default
    expect(await get('/')).toEqual([200, 'root']);
    await f.close();
  });

  test.each([
    ['ignoreTrailingSlash', '/readyz/', { routerOptions: { ignoreTrailingSlash: true } }],
    ['ignoreTrailingSlash (top-level option)', '/readyz/', { ignoreTrailingSlash: true }],
    ['caseSensitive: false', '/READYZ', { routerOptions: { caseSensitive: false } }],
    ['ignoreDuplicateSlashes', '//readyz', { routerOptions: { ignoreDuplicateSlashes: true } }],
  ] as Array<[string, string, FastifyServerOptions]>)('real traffic: with the router option %s, %s is the probe too', async (_name, url, options) => {
    const { f, get } = await served(options);
    expect(await get(url)).toEqual([200, PROBE]);
    expect(await get('/')).toEqual([200, 'root']);
    expect((await get('/nope'))[0]).toBe(404);
    await f.close();
  });

  test('by default the probe paths are not routes: the router holds only the app, and fastify.inject does not see them', async () => {
    const { results, routes } = await injected('plain');
    expect(routes).not.toMatch(/livez|readyz|health/);
    expect(results!.slice(0, 7).map(([m, u, s, b]) => [m, u, s, b])).toEqual([
      ['GET', '/livez', 404, notFound('/livez')],
      ['GET', '/readyz', 404, notFound('/readyz')],
      ['HEAD', '/readyz', 404, ''],
      ['GET', '/health?x=1', 404, notFound('/health?x=1')],
      ['POST', '/readyz', 404, '{"message":"Route POST:/readyz not found","error":"Not Found","statusCode":404}'],
      ['GET', '/', 200, 'root'],
      ['GET', '/other', 404, notFound('/other')],
    ]);
  });

  test('probeRoutes: fastify.inject answers the probes (GET/HEAD status, other methods 405 before body parsing), readiness following zerodown', async () => {
    const { results } = await injected('routes');
    expect(results!.map(([m, u, s, b]) => [m, u, s, b])).toEqual([
      ['GET', '/livez', 200, PROBE],
      ['GET', '/readyz', 200, PROBE],
      ['HEAD', '/readyz', 200, ''],
      ['GET', '/health?x=1', 200, PROBE],
      ['POST', '/readyz', 405, '{"status":"fail","output":"method not allowed"}'],
      ['GET', '/', 200, 'root'],
      ['GET', '/other', 404, notFound('/other')],
      ['GET', '/readyz', 503, '{"status":"fail"}'], // suspended
      ['GET', '/livez', 200, PROBE],
    ]);
    expect(results![1]![4]).toMatch(/^application\/health\+json/);
  });

  test("probeRoutes: an app's catch-all route does not take the probes from fastify.inject", async () => {
    const { results } = await injected('routes-catch-all');
    const byUrl = new Map(results!.slice(0, 7).map(([m, u, s, b]) => [`${m} ${u}`, [s, b]]));
    expect(byUrl.get('GET /readyz')).toEqual([200, PROBE]);
    expect(byUrl.get('GET /other')).toEqual([200, 'catch-all']);
  });

  test.each(['conflict', 'conflict-before'])('an app route at a probe path fails at registration, naming health.paths (%s the plugin)', async (scenario) => {
    const { error } = await injected(scenario);
    expect(error).toMatchObject({ code: 'ZERODOWN_CONFIG', message: expect.stringContaining('health.paths') });
  });

  test('a bad probeRoutes option fails at registration, naming it', async () => {
    const zd = zerodown({ logger: silentLogger, drain: { signals: false }, monitors: false, control: { socket: false } });
    const f = Fastify();
    await expect(f.register(zerodownFastify, { zerodown: zd, probeRoutes: 'yes' as unknown as boolean })).rejects.toMatchObject({ code: 'ZERODOWN_CONFIG', field: 'probeRoutes' });
    zd.dispose();
    await f.close().catch(() => {});
  });

  test("Fastify's extra servers (host 'localhost': 127.0.0.1 and ::1) answer the probes too", async () => {
    // many hosts map localhost to both addresses; this one may not: dns.lookup says so for the test
    const dns = require('node:dns') as typeof import('node:dns');
    const lookup = dns.lookup;
    (dns as { lookup: unknown }).lookup = function (host: string, options: unknown, cb: unknown) {
      if (host === 'localhost' && typeof options === 'object' && (options as { all?: boolean }).all) {
        return process.nextTick(cb as (e: null, a: unknown) => void, null, [{ address: '127.0.0.1', family: 4 }, { address: '::1', family: 6 }]);
      }
      return (lookup as (...a: unknown[]) => unknown).apply(dns, [host, options, cb]);
    };
    const zd = zerodown({ logger: silentLogger, drain: { signals: false }, monitors: false, control: { socket: false } });
    const f = Fastify();
    try {
      await f.register(zerodownFastify, { zerodown: zd });
      f.get('/app', async () => 'app');
      await f.listen({ port: 0 });
      zd.ready();
      const addresses = f.addresses();
      expect(addresses.length).toBeGreaterThanOrEqual(1);
      for (const a of addresses as import("node:net").AddressInfo[]) {
        const host = a.family === 'IPv6' ? `[${a.address}]` : a.address;
        const r = await fetch(`http://${host}:${a.port}/readyz`);
        expect([a.address, r.status, await r.text()]).toEqual([a.address, 200, PROBE]);
      }
    } finally {
      (dns as { lookup: unknown }).lookup = lookup;
      await f.close();
    }
  });
});

import { execFile } from 'node:child_process';
import path from 'node:path';
import Fastify, { type FastifyInstance } from 'fastify';
import { zerodown, silentLogger } from '@zerodown/core';
import { zerodownFastify } from './plugin';

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

describe('@zerodown/fastify', () => {
  test('fastify.inject answers the probes: GET/HEAD with the status, other methods 405 before body parsing, sub-paths 404; the probes are not routes of the app', async () => {
    const { results, routes } = await injected('plain');
    expect(results!.map(([m, u, s, b]) => [m, u, s, b])).toEqual([
      ['GET', '/livez', 200, PROBE],
      ['GET', '/readyz', 200, PROBE],
      ['HEAD', '/readyz', 200, ''],
      ['GET', '/health?x=1', 200, PROBE],
      ['POST', '/readyz', 405, '{"status":"fail","output":"method not allowed"}'],
      ['GET', '/readyz/sub', 404, notFound('/readyz/sub')],
      ['GET', '/', 200, 'root'],
      ['GET', '/other', 404, notFound('/other')],
      ['GET', '/about', 404, notFound('/about')],
      // suspended: readiness fails, liveness does not
      ['GET', '/readyz', 503, '{"status":"fail"}'],
      ['GET', '/livez', 200, PROBE],
    ]);
    expect(results![1]![4]).toMatch(/^application\/health\+json/);
    expect(routes).not.toMatch(/livez|readyz|health/);
  });

  test.each([
    ['catch-all', 'catch-all'],
    ['param', 'page'],
  ])("an app's %s root route does not take the probes from fastify.inject", async (scenario, body) => {
    const { results } = await injected(scenario);
    const byUrl = new Map(results!.slice(0, 9).map(([m, u, s, b]) => [`${m} ${u}`, [s, b]]));
    expect(byUrl.get('GET /readyz')).toEqual([200, PROBE]);
    expect(byUrl.get('GET /livez')).toEqual([200, PROBE]);
    expect(byUrl.get('POST /readyz')![0]).toBe(405);
    expect(byUrl.get('GET /other')).toEqual([200, body]);
    expect(byUrl.get('GET /')).toEqual([200, 'root']);
  });

  test('an app route at a probe path fails at registration, naming health.paths', async () => {
    const { error } = await injected('conflict');
    expect(error).toMatchObject({ code: 'ZERODOWN_CONFIG', message: expect.stringContaining('health.paths') });
  });

  test('real traffic: probes answered in front of Fastify, ordinary routes (even a catch-all) by the app', async () => {
    const zd = zerodown({ logger: silentLogger, drain: { signals: false }, monitors: false, control: { socket: false } });
    const f: FastifyInstance = Fastify();
    await f.register(zerodownFastify, { zerodown: zd });
    f.get('/', async () => 'root');
    f.get('/*', async () => 'catch-all');
    await f.listen({ port: 0, host: '127.0.0.1' });
    zd.ready();
    const port = (f.server.address() as { port: number }).port;
    const get = async (u: string, init?: RequestInit) => {
      const r = await fetch(`http://127.0.0.1:${port}${u}`, init);
      return [r.status, await r.text()];
    };
    expect(await get('/readyz')).toEqual([200, PROBE]);
    expect(await get('/readyz', { method: 'POST', body: 'x', headers: { 'content-type': 'weird/x' } })).toEqual([405, '{"status":"fail","output":"method not allowed"}']);
    expect(await get('/x')).toEqual([200, 'catch-all']);
    expect(await get('/')).toEqual([200, 'root']);
    await f.close();
  });
});

import http from 'node:http';
import { zerodown, silentLogger } from '../index';

const make = (paths?: { live?: string; ready?: string; health?: string }) =>
  zerodown({ logger: silentLogger, drain: { signals: false }, control: { socket: false }, monitors: false, health: paths ? { paths } : {} });

describe('probe path matching', () => {
  test('the probe paths match with and without a query string; everything else does not', () => {
    const zd = make();
    const m = (u: string | undefined) => zd.probes.match(u);
    expect([m('/livez'), m('/readyz'), m('/health'), m('/readyz?verbose=1')]).toEqual(['live', 'ready', 'health', 'ready']);
    for (const u of [undefined, '', '/', '/l', '/livezz', '/live', '/Readyz', '/hea', '/health/', '*', 'http://x/livez', '/\u00e9', '/r?x', '/?/livez']) expect(m(u)).toBeUndefined();
    zd.dispose();
  });

  test("custom paths, '/' itself and a non-ASCII path still match (no shortcut then)", () => {
    const zd = make({ live: '/', ready: '/\u00e9tat', health: '/x/health' });
    expect([zd.probes.match('/'), zd.probes.match('/?a'), zd.probes.match('/\u00e9tat'), zd.probes.match('/x/health')]).toEqual(['live', 'live', 'ready', 'health']);
    expect(zd.probes.match('/x')).toBeUndefined();
    zd.dispose();
  });

  test('an attached server answers the probes and passes every other URL to the app, also through zd.requestListener', async () => {
    const zd = make({ live: '/alive', ready: '/ready', health: '/status' });
    zd.ready();
    const seen: string[] = [];
    const server = http.createServer(zd.requestListener((req, res) => {
      seen.push(req.url!);
      res.end('app');
    }));
    zd.attach(server);
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
    const port = (server.address() as { port: number }).port;
    const got: Array<[string, number, string]> = [];
    for (const u of ['/', '/alive', '/ready?x=1', '/status', '/a', '/r', '/readyz', '/livez']) {
      const r = await fetch(`http://127.0.0.1:${port}${u}`);
      got.push([u, r.status, await r.text()]);
    }
    expect(got).toEqual([
      ['/', 200, 'app'],
      ['/alive', 200, '{"status":"pass"}'],
      ['/ready?x=1', 200, '{"status":"pass"}'],
      ['/status', 200, '{"status":"pass"}'],
      ['/a', 200, 'app'],
      ['/r', 200, 'app'],
      ['/readyz', 200, 'app'],
      ['/livez', 200, 'app'],
    ]);
    // the app's handler ran once per non-probe request: the probe answer is given once, not by both wrappers
    expect(seen).toEqual(['/', '/a', '/r', '/readyz', '/livez']);
    await new Promise<void>((r) => server.close(() => r()));
    zd.dispose();
  });

  test('zd.requestListener + attach: a request listener added after attach (metrics, socket.io) leaves the probes answered', async () => {
    const zd = make();
    zd.ready();
    const server = http.createServer(zd.requestListener((_req, res) => {
      res.statusCode = 404;
      res.end('app 404');
    }));
    zd.attach(server);
    let counted = 0;
    server.on('request', () => void counted++);
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
    const port = (server.address() as { port: number }).port;
    const r = await fetch(`http://127.0.0.1:${port}/readyz`);
    expect([r.status, await r.text()]).toEqual([200, '{"status":"pass"}']);
    const a = await fetch(`http://127.0.0.1:${port}/x`);
    expect([a.status, await a.text()]).toEqual([404, 'app 404']);
    expect(counted).toBe(2);
    await new Promise<void>((done) => server.close(() => done()));
    zd.dispose();
  });

  test('a request without a URL (a hand-built request) goes to the app, not to an exception', () => {
    const zd = make();
    const seen: string[] = [];
    const listener = zd.requestListener(() => void seen.push('app'));
    listener({ method: 'GET', headers: {} } as http.IncomingMessage, {} as http.ServerResponse);
    expect(seen).toEqual(['app']);
    zd.dispose();
  });

  test('loose matching (as a router with ignoreTrailingSlash, case-insensitive, duplicate slashes matches)', () => {
    const zd = make();
    const all = { ignoreTrailingSlash: true, caseInsensitive: true, ignoreDuplicateSlashes: true };
    const m = (u: string, o = all) => zd.probes.matchLoosely(u, o);
    expect([m('/readyz/'), m('/READYZ'), m('//readyz'), m('///Health/?x'), m('/livez')]).toEqual(['ready', 'ready', 'ready', 'health', 'live']);
    expect([m('/readyz/', { ...all, ignoreTrailingSlash: false }), m('/READYZ', { ...all, caseInsensitive: false }), m('//readyz', { ...all, ignoreDuplicateSlashes: false })]).toEqual([undefined, undefined, undefined]);
    expect([m('/'), m('/readyzz'), m('/readyz//x')]).toEqual([undefined, undefined, undefined]);
    const gate = zd.probes.gate(all)!;
    for (const ch of 'lrhLRH/') expect(gate[ch.charCodeAt(0)]).toBe(1);
    expect(gate['a'.charCodeAt(0)]).toBe(0);
    zd.dispose();
  });

  test('a bad probeMatching option fails at attach, naming it', () => {
    const zd = make();
    const server = http.createServer();
    for (const bad of ['yes', null, { ignoreTrailingSlash: 'yes' }, { trailing: true }]) {
      expect(() => zd.attach(server, { probeMatching: bad as never })).toThrow(expect.objectContaining({ code: 'ZERODOWN_CONFIG', field: 'probeMatching' }));
    }
    expect(server.listenerCount('connection')).toBe(1);
    zd.dispose();
  });
});

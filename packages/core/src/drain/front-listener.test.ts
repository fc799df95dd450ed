import http from 'node:http';
import { connect } from 'node:net';
import { request } from 'undici';
import { zerodown, silentLogger } from '../index';
import { closeServer } from '../../../../test/helpers/http-server';

function listen(server: http.Server): Promise<number> {
  return new Promise((resolve) => server.listen(0, '127.0.0.1', () => resolve((server.address() as { port: number }).port)));
}

/** One raw HTTP/1.1 request; resolves with the status line's code (or what the connection did). */
function raw(port: number, head: string): Promise<string> {
  return new Promise((resolve) => {
    const s = connect(port, '127.0.0.1');
    let got = '';
    s.setEncoding('utf8').on('data', (d: string) => {
      got += d;
      const m = /^HTTP\/1\.1 (\d{3})/.exec(got);
      if (m) {
        s.destroy();
        resolve(m[1]!);
      }
    });
    s.on('close', () => resolve(got === '' ? 'closed without answer' : got));
    s.setTimeout(3000, () => {
      s.destroy();
      resolve('no answer in 3 s');
    });
    s.write(head);
  });
}

describe('probes answered in front of the app by zd.attach', () => {
  test('also when another request listener is added after attach (an observer, or a dispatcher calling the old listeners); detach gives probes back to the app', async () => {
    const zd = zerodown({ logger: silentLogger, drain: { signals: false }, monitors: false, control: { socket: false } });
    zd.ready();
    const app = (_req: http.IncomingMessage, res: http.ServerResponse): void => {
      if (!res.headersSent) res.end('app');
    };
    const server = http.createServer(app);
    const detach = zd.attach(server);
    const port = await listen(server);
    const get = async (path: string): Promise<string> => {
      const res = await request(`http://127.0.0.1:${port}${path}`);
      return `${res.statusCode} ${await res.body.text()}`;
    };
    try {
      expect(await get('/livez')).toBe('200 {"status":"pass"}');
      let observed = 0;
      const observer = (): void => void observed++;
      server.on('request', observer);
      expect(await get('/livez')).toBe('200 {"status":"pass"}');
      expect(await get('/x')).toBe('200 app');
      expect(observed).toBe(2);
      server.removeListener('request', observer);
      // engine.io's attach(): takes the listeners off and calls them for URLs it does not own
      const taken = server.listeners('request') as Array<(req: http.IncomingMessage, res: http.ServerResponse) => void>;
      server.removeAllListeners('request');
      server.on('request', (req, res) => {
        if (req.url!.startsWith('/socket.io/')) return void res.end('eio');
        for (const fn of taken) fn.call(server, req, res);
      });
      expect(await get('/readyz')).toBe('200 {"status":"pass"}');
      expect(await get('/socket.io/')).toBe('200 eio');
      expect(await get('/x')).toBe('200 app');
      server.removeAllListeners('request');
      for (const fn of taken) server.on('request', fn);
      // detach restores the app's listener: probes reach the app
      detach();
      expect(await get('/livez')).toBe('200 app');
    } finally {
      zd.dispose();
      await closeServer(server);
    }
  });

  test('a request with an Upgrade header (curl --http2 sends Upgrade: h2c) is answered when the app handles no upgrades, and goes to the app\'s upgrade listener when it does', async () => {
    const zd = zerodown({ logger: silentLogger, drain: { signals: false }, monitors: false, control: { socket: false } });
    zd.ready();
    const server = http.createServer((_req, res) => res.end('app'));
    zd.attach(server);
    const port = await listen(server);
    const h2c = (path: string) => raw(port, `GET ${path} HTTP/1.1\r\nHost: x\r\nConnection: Upgrade, HTTP2-Settings\r\nUpgrade: h2c\r\nHTTP2-Settings: AAMAAABkAARAAAAAAAIAAAAA\r\n\r\n`);
    try {
      expect(await h2c('/readyz')).toBe('200');
      expect(await h2c('/x')).toBe('200');
      // the app starts handling upgrades: they go to it (and the tracker sees the upgraded socket)
      server.on('upgrade', (_req, socket) => socket.end('HTTP/1.1 101 Switching Protocols\r\nConnection: Upgrade\r\nUpgrade: h2c\r\n\r\n'));
      expect(await h2c('/x')).toBe('101');
      server.removeAllListeners('upgrade');
      expect(await h2c('/x')).toBe('200');
    } finally {
      zd.dispose();
      await closeServer(server);
    }
  });
});

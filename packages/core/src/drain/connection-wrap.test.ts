import http from 'node:http';
import { connect, type Socket } from 'node:net';
import { zerodown, silentLogger } from '../index';
import { waitFor } from '../../../../test/helpers/wait';

function listen(server: http.Server): Promise<number> {
  return new Promise((resolve) => server.listen(0, '127.0.0.1', () => resolve((server.address() as { port: number }).port)));
}

const quiet = () => zerodown({ logger: silentLogger, drain: { signals: false, delayMs: 0, timeoutMs: 5000, exit: false }, control: { socket: false }, monitors: false });

function openSocket(port: number): Promise<Socket> {
  return new Promise((resolve, reject) => {
    const s = connect(port, '127.0.0.1', () => resolve(s));
    s.once('error', reject);
  });
}

describe('connection tracking without a second connection listener', () => {
  test("attach keeps one 'connection' listener (node's own, wrapped) and detach puts node's back", async () => {
    const zd = quiet();
    const server = http.createServer((_req, res) => res.end('ok'));
    const [nodeListener] = server.listeners('connection');
    const dispose = zd.attach(server);
    expect(server.listenerCount('connection')).toBe(1);
    expect(server.listeners('connection')[0]).not.toBe(nodeListener);
    const port = await listen(server);
    const res = await fetch(`http://127.0.0.1:${port}/`);
    expect(await res.text()).toBe('ok');
    dispose();
    expect(server.listeners('connection')).toEqual([nodeListener]);
    const again = await fetch(`http://127.0.0.1:${port}/`, { headers: { connection: 'close' } });
    expect(await again.text()).toBe('ok');
    await new Promise<void>((r) => server.close(() => r()));
    zd.dispose();
  });

  test("a server with a listener of the app's own besides node's: both still run, the app's after node's", async () => {
    const zd = quiet();
    const server = http.createServer((_req, res) => res.end('ok'));
    const seen: string[] = [];
    server.on('connection', () => seen.push('app'));
    zd.attach(server);
    const port = await listen(server);
    const s = await openSocket(port);
    await waitFor(() => seen.length === 1, 10000, "the app's connection listener to run");
    expect(zd.connections).toBe(1);
    s.destroy();
    await zd.drain();
    zd.dispose();
  });

  test('connections that closed are not counted, and many short connections leave no socket behind', async () => {
    const zd = quiet();
    const server = http.createServer((_req, res) => res.end('ok'));
    zd.attach(server);
    const port = await listen(server);
    for (let i = 0; i < 150; i++) {
      const r = await fetch(`http://127.0.0.1:${port}/`, { headers: { connection: 'close' } });
      await r.text();
    }
    await waitFor(() => zd.connections === 0, 10000, 'every closed connection to be uncounted');
    const held = await openSocket(port);
    await waitFor(() => zd.connections === 1, 10000, 'the open connection to be counted');
    const result = await zd.drain();
    expect(result.forced).toBe(false);
    await new Promise<void>((r) => (held.destroyed ? r() : held.once('close', () => r())));
    zd.dispose();
  });

  test('a keep-alive connection opened before the stop is closed by the drain once its request completes', async () => {
    const zd = quiet();
    let release: (() => void) | undefined;
    const server = http.createServer((req, res) => {
      if (req.url === '/slow') release = () => res.end('slow done');
      else res.end('fast');
    });
    zd.attach(server);
    const port = await listen(server);
    const agent = new http.Agent({ keepAlive: true, maxSockets: 1 });
    const get = (path: string) => new Promise<{ status: number; body: string; connection: string | undefined }>((resolve, reject) => {
      http.get({ host: '127.0.0.1', port, path, agent }, (r) => {
        let body = '';
        r.setEncoding('utf8').on('data', (d: string) => (body += d)).on('end', () => resolve({ status: r.statusCode!, body, connection: r.headers.connection }));
      }).on('error', reject);
    });
    expect((await get('/fast')).body).toBe('fast');
    const slow = get('/slow');
    await waitFor(() => release !== undefined, 10000, 'the slow request to arrive');
    const drained = zd.drain();
    await waitFor(() => !server.listening, 10000, 'the drain to stop the server');
    release!();
    const r = await slow;
    expect(r).toEqual({ status: 200, body: 'slow done', connection: 'close' });
    const result = await drained;
    expect(result.forced).toBe(false);
    expect(zd.connections).toBe(0);
    agent.destroy();
    zd.dispose();
  });

  test('two instances on one server: detaching the first (in any order) keeps one connection listener and serves each request once', async () => {
    const zd1 = quiet();
    const zd2 = quiet();
    let calls = 0;
    const server = http.createServer((_req, res) => {
      calls++;
      res.end('ok');
    });
    const [nodeListener] = server.listeners('connection');
    const d1 = zd1.attach(server);
    const d2 = zd2.attach(server);
    d1();
    const port = await listen(server);
    for (let i = 0; i < 3; i++) {
      const r = await fetch(`http://127.0.0.1:${port}/`, { headers: { connection: 'close' } });
      expect(await r.text()).toBe('ok');
    }
    expect(calls).toBe(3);
    expect(server.listenerCount('connection')).toBe(1);
    expect(server.listenerCount('request')).toBe(1);
    d2();
    expect(server.listeners('connection')).toHaveLength(1);
    const r = await fetch(`http://127.0.0.1:${port}/`, { headers: { connection: 'close' } });
    expect(await r.text()).toBe('ok');
    expect(calls).toBe(4);
    void nodeListener;
    await new Promise<void>((done) => server.close(() => done()));
    zd1.dispose();
    zd2.dispose();
  });
});

import http from 'node:http';
import net, { type AddressInfo } from 'node:net';
import { zerodown, type Zerodown } from '../index';
import type { Logger } from '../logger';
import { waitFor } from '../../../../test/helpers/wait';

// The worker drain under `zerodown serve` (idleGraceMs > 0) with real sockets and real time.

const silent: Logger = { error() {}, warn() {}, info() {}, debug() {} };

const opened: Array<{ zd: Zerodown; server: http.Server; sockets: net.Socket[] }> = [];
afterEach(async () => {
  for (const { zd, server, sockets } of opened.splice(0)) {
    zd.dispose();
    for (const s of sockets) s.destroy();
    if (server.listening) {
      server.closeAllConnections();
      await new Promise((r) => server.close(r));
    }
  }
});

describe('worker drain with an idle grace (zerodown serve)', () => {
  test('a connection that sent half a request body does not hold the drain until its deadline', async () => {
    const zd = zerodown({ logger: silent, env: {}, control: { socket: false }, monitors: false, health: { eventLoopStallMs: 0 }, drain: { exit: false, signals: false, delayMs: 0, timeoutMs: 10_000 } });
    let uploads = 0;
    let works = 0;
    const server = http.createServer((req, res) => {
      if (req.url === '/upload') {
        uploads++;
        req.resume().on('end', () => res.end('stored'));
        return;
      }
      works++;
      setTimeout(() => res.end('worked'), 300);
    });
    const entry = { zd, server, sockets: [] as net.Socket[] };
    opened.push(entry);
    zd.attach(server);
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    const port = (server.address() as AddressInfo).port;

    // half a body: headers complete, 3 of 100 bytes sent, then nothing
    const partial = net.connect(port, '127.0.0.1');
    entry.sockets.push(partial);
    const partialClosed = new Promise<void>((r) => partial.once('close', () => r()));
    partial.on('error', () => {});
    partial.write('POST /upload HTTP/1.1\r\nHost: x\r\nContent-Length: 100\r\n\r\nabc');
    await waitFor(() => uploads > 0, 5000, 'the app to get the upload');

    // a real request in flight when the drain starts
    const work = new Promise<number>((resolve, reject) => {
      http.get({ host: '127.0.0.1', port, path: '/work', agent: false }, (res) => res.resume().on('end', () => resolve(res.statusCode!))).on('error', reject);
    });
    await waitFor(() => works > 0, 5000, 'the /work request in flight');

    const result = await zd.drain('reload', { delayMs: 0, deregister: false, idleGraceMs: 2000 });
    expect(await work).toBe(200);
    await partialClosed;
    expect(result.forced).toBe(false);
    expect(result.exitCode).toBe(0);
    // ended by the drain itself, not by the 10 s deadline
    expect(result.durationMs).toBeLessThan(8000);
  }, 30_000);
});

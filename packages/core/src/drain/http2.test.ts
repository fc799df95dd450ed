import http2 from 'node:http2';
import https from 'node:https';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { zerodown, silentLogger } from '../index';

function selfSigned(): { key: Buffer; cert: Buffer } {
  const dir = mkdtempSync(path.join(tmpdir(), 'zd-tls-'));
  execFileSync('openssl', ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', `${dir}/k.pem`, '-out', `${dir}/c.pem`, '-days', '1', '-subj', '/CN=127.0.0.1'], { stdio: 'ignore' });
  return { key: readFileSync(`${dir}/k.pem`), cert: readFileSync(`${dir}/c.pem`) };
}

describe('drain on HTTPS and HTTP/2 servers', () => {
  const tls = selfSigned();
  const opened: { zd: { dispose(): void }; server: { close(): void } }[] = [];
  afterEach(() => {
    for (const { zd, server } of opened.splice(0)) {
      zd.dispose();
      server.close();
    }
  });
  /** A promise resolved by the request handler when a request arrives, and the hook to call there. */
  const arrival = (): { arrived: Promise<void>; arrive: () => void } => {
    let arrive!: () => void;
    const arrived = new Promise<void>((r) => (arrive = r));
    return { arrived, arrive };
  };

  test('HTTP/2: in-flight streams complete, the session gets GOAWAY, drain resolves with exit code 0', async () => {
    const exits: number[] = [];
    const zd = zerodown({ logger: silentLogger, drain: { signals: false, delayMs: 0, timeoutMs: 5000 }, control: { socket: false }, exit: (c) => exits.push(c) });
    const { arrived, arrive } = arrival();
    const server = http2.createSecureServer(tls, zd.requestListener((_req, res) => {
      arrive();
      setTimeout(() => res.end('done'), 300);
    }) as never);
    opened.push({ zd, server });
    zd.attach(server);
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    zd.ready();
    const port = (server.address() as { port: number }).port;
    const session = http2.connect(`https://127.0.0.1:${port}`, { rejectUnauthorized: false });
    let goaway = false;
    session.on('goaway', () => (goaway = true));
    const body = new Promise<{ status: number; text: string }>((resolve, reject) => {
      const req = session.request({ ':path': '/work' });
      let status = 0;
      let text = '';
      req.on('response', (h) => (status = Number(h[':status'])));
      req.setEncoding('utf8').on('data', (d: string) => (text += d));
      req.on('end', () => resolve({ status, text }));
      req.on('error', reject);
    });
    await arrived;
    expect(zd.inflight).toBe(1);
    const result = await zd.drain('test');
    const res = await body;
    expect(res).toEqual({ status: 200, text: 'done' });
    expect(goaway).toBe(true);
    expect(result.exitCode).toBe(0);
    expect(exits).toEqual([0]);
    session.destroy();
  });

  test('HTTPS: an in-flight request completes with Connection: close', async () => {
    const zd = zerodown({ logger: silentLogger, drain: { signals: false, delayMs: 0, timeoutMs: 5000, exit: false }, control: { socket: false } });
    const { arrived, arrive } = arrival();
    const server = https.createServer(tls, zd.requestListener((_req, res) => {
      arrive();
      setTimeout(() => res.end('ok'), 200);
    }));
    opened.push({ zd, server });
    zd.attach(server, { tuneTimeouts: true });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    const port = (server.address() as { port: number }).port;
    const agent = new https.Agent({ keepAlive: true, rejectUnauthorized: false });
    const got = new Promise<{ status: number; connection: string | undefined; body: string }>((resolve, reject) => {
      https.get({ host: '127.0.0.1', port, path: '/', agent }, (res) => {
        let body = '';
        res.setEncoding('utf8').on('data', (d: string) => (body += d));
        res.on('end', () => resolve({ status: res.statusCode!, connection: res.headers.connection, body }));
      }).on('error', reject);
    });
    await arrived;
    expect(zd.inflight).toBe(1);
    const result = await zd.drain();
    expect(await got).toEqual({ status: 200, connection: 'close', body: 'ok' });
    expect(result.forced).toBe(false);
    agent.destroy();
  });
});

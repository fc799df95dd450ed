import http from 'node:http';
import { connect } from 'node:net';
import { zerodown, silentLogger } from '../index';
import { waitFor } from '../../../../test/helpers/wait';

function listen(server: http.Server): Promise<number> {
  return new Promise((resolve) => server.listen(0, '127.0.0.1', () => resolve((server.address() as { port: number }).port)));
}

describe('in-flight tracking', () => {
  test('zd.inflight counts requests before a drain; idle() resolves when they finish', async () => {
    const zd = zerodown({ logger: silentLogger, drain: { signals: false, delayMs: 0, timeoutMs: 5000, exit: false }, control: { socket: false } });
    const held: http.ServerResponse[] = []; // answered by the test once all three are in flight
    const server = http.createServer((_req, res) => void held.push(res));
    zd.attach(server);
    const port = await listen(server);
    const done = Promise.all([1, 2, 3].map(() => new Promise<number>((resolve) => http.get({ port, host: '127.0.0.1', agent: false }, (r) => { r.resume(); r.on('end', () => resolve(r.statusCode!)); }))));
    await waitFor(() => held.length === 3, 10000, 'three requests to arrive');
    expect(zd.inflight).toBe(3);
    const idle = zd.idle();
    for (const res of held) res.end('ok');
    await idle;
    expect(zd.inflight).toBe(0);
    expect(await done).toEqual([200, 200, 200]);
    await zd.drain();
  });

  test('pipelined requests on one connection all complete during a drain', async () => {
    const zd = zerodown({ logger: silentLogger, drain: { signals: false, delayMs: 0, timeoutMs: 5000, exit: false }, control: { socket: false } });
    let arrived = 0;
    const server = http.createServer((req, res) => {
      arrived++;
      setTimeout(() => res.end(`done ${req.url}`), 150);
    });
    zd.attach(server);
    const port = await listen(server);
    const sock = connect(port, '127.0.0.1');
    let got = '';
    sock.setEncoding('utf8').on('data', (d: string) => (got += d));
    const closed = new Promise<void>((r) => sock.on('close', () => r()));
    sock.write('GET /a HTTP/1.1\r\nHost: x\r\n\r\nGET /b HTTP/1.1\r\nHost: x\r\n\r\nGET /c HTTP/1.1\r\nHost: x\r\n\r\n');
    await waitFor(() => arrived >= 1, 10000, 'the first pipelined request to arrive');
    const result = await zd.drain();
    await closed;
    expect(result.forced).toBe(false);
    expect(got).toContain('done /a');
    expect(got).toContain('done /b');
    expect(got).toContain('done /c');
    expect((got.match(/HTTP\/1\.1 200/g) ?? []).length).toBe(3);
    // the connection is closed after the last response (no response before it said "close": that would drop the rest)
  });
});

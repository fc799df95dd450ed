import http from 'node:http';
import { HealthRegistry } from '../registry';
import { httpCheck } from './http';
import { silentLogger, zerodown, type Logger } from '../../index';
import { closeServer } from '../../../../../test/helpers/http-server';

describe('httpCheck against a real upstream', () => {
  let mode: 'ok' | 'error' | 'hang' = 'ok';
  const server = http.createServer((_req, res) => {
    if (mode === 'ok') res.end('fine');
    else if (mode === 'error') {
      res.statusCode = 500;
      res.end('boom');
    } // hang: never answer
  });
  let url = '';
  beforeAll(async () => {
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    url = `http://127.0.0.1:${(server.address() as { port: number }).port}/status`;
  });
  afterAll(async () => {
    await closeServer(server);
  });

  test('passes on 2xx, fails on 500 and on a hang (timeout)', async () => {
    // a generous timeout: the first call loads the HTTP client, which takes a while on a busy machine
    const reg = new HealthRegistry({ intervalMs: 60000, timeoutMs: 2000 }, silentLogger);
    reg.register('upstream', httpCheck(url));
    expect((await reg.runNow('upstream'))!.status).toBe('pass');
    mode = 'error';
    const failed = await reg.runNow('upstream');
    expect(failed!.status).toBe('fail');
    expect(failed!.output).toBe('upstream answered 500');
    mode = 'hang';
    const hung = await reg.runNow('upstream');
    expect(hung!.status).toBe('fail');
    expect(hung!.output).toBe('timed out after 2000 ms');
    reg.dispose();
  });

  test('rejects non-http URLs at registration', () => {
    expect(() => httpCheck('ftp://example.com')).toThrow(/expected an http\(s\) URL/);
  });
});

describe('attach() warns about the classic ALB 502', () => {
  test('keepAliveTimeout not above the LB idle timeout, headersTimeout not above keepAliveTimeout', () => {
    const warnings: string[] = [];
    const logger: Logger = { ...silentLogger, warn: ((o: object | string, m?: string) => warnings.push(typeof o === 'string' ? o : m ?? '')) as Logger['warn'] };
    const zd = zerodown({ logger, drain: { signals: false } });
    const server = http.createServer();
    server.keepAliveTimeout = 5000;
    server.headersTimeout = 4000;
    zd.attach(server);
    expect(warnings[0]).toMatch(/keepAliveTimeout \(5000 ms\) is not above the load balancer's idle timeout \(60000 ms\).*Fix: server.keepAliveTimeout = 65000/);
    expect(warnings[1]).toMatch(/headersTimeout \(4000 ms\) is not above server.keepAliveTimeout \(5000 ms\)/);
    const tuned = http.createServer();
    zd.attach(tuned, { tuneTimeouts: true });
    expect(tuned.keepAliveTimeout).toBe(65000);
    expect(tuned.headersTimeout).toBe(66000);
    expect(warnings).toHaveLength(2);
    zd.dispose();
  });
});

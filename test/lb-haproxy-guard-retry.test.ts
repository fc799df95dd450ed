/**
 * HAProxy adapter: the min-healthy guard runs before readiness fails, and runtime-API commands are retried
 * while HAProxy restarts. A real haproxy in front of a zerodown app (s1) and a plain node:http server (s2).
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { request } from 'undici';
import { HaproxyRuntimeClient, MinHealthyError, haproxyAdapter, silentLogger, zerodown, type Logger, type Zerodown } from '@zerodown/core';
import { requireHaproxy, startHaproxy, type HaproxyFixture } from './fixtures/haproxy-fixture';
import { closeServer } from './helpers/http-server';
import { waitFor } from './helpers/wait';

interface Line {
  level: 'error' | 'warn' | 'info' | 'debug';
  msg: string;
}

function capture(): { logger: Logger; lines: Line[] } {
  const lines: Line[] = [];
  const at = (level: Line['level']) => ((o: unknown, m?: string) => void lines.push({ level, msg: m ?? (typeof o === 'string' ? o : '') })) as Logger['info'];
  return { logger: { error: at('error'), warn: at('warn'), info: at('info'), debug: at('debug') }, lines };
}

let s2Ready = true;
let s2: Server;
let app: Server;
let zd: Zerodown;
let log: ReturnType<typeof capture>;
let hx: HaproxyFixture;
let client: HaproxyRuntimeClient;

const portOf = (s: Server): number => (s.address() as AddressInfo).port;
const listen = (s: Server): Promise<void> => new Promise((r) => s.listen(0, '127.0.0.1', () => r()));

beforeAll(() => {
  requireHaproxy();
});

beforeEach(async () => {
  s2Ready = true;
  s2 = createServer((req, res) => {
    if (req.url === '/readyz') return void res.writeHead(s2Ready ? 200 : 503).end();
    res.end('s2');
  });
  log = capture();
  zd = zerodown({ logger: log.logger, control: { socket: false }, drain: { signals: false, exit: false, delayMs: 0, timeoutMs: 10000 }, health: { eventLoopStallMs: 0 } });
  app = createServer((req, res) => res.end('s1'));
  zd.attach(app);
  await Promise.all([listen(s2), listen(app)]);
  // checks every second (their timeout): 200 ms checks flap on a busy machine
  hx = await startHaproxy(
    [
      { name: 's1', port: portOf(app) },
      { name: 's2', port: portOf(s2) },
    ],
    { inter: 1000 },
  );
  client = new HaproxyRuntimeClient({ socket: hx.socketPath });
  zd.ready();
  await waitFor(async () => (await client.stats()).filter((r) => r.backend === 'app' && /^UP/.test(r.status)).length === 2, 20000, 'both servers UP');
});

afterEach(async () => {
  zd.dispose();
  await hx.stop();
  await Promise.all([closeServer(app), closeServer(s2)]);
});

const readyz = async (): Promise<number> => {
  const r = await request(`http://127.0.0.1:${portOf(app)}/readyz`);
  await r.body.dump();
  return r.statusCode;
};

test('drain of the last UP server is refused before readiness fails; a drain whose process exits deregisters anyway and says why', async () => {
  const adapter = haproxyAdapter({ socket: hx.socketPath, backend: 'app', server: 's1', pollIntervalMs: 50 });
  zd.useLoadBalancer(adapter, { registerOnReady: false });
  s2Ready = false;
  await waitFor(async () => (await client.serverStat('app', 's2')).status === 'DOWN', 20000, 's2 DOWN');

  // `zerodown drain` (the control channel calls zd.suspend): refused, and nothing changed
  const refusal = await zd.suspend('deploy').catch((error: unknown) => error);
  expect(refusal).toBeInstanceOf(MinHealthyError);
  expect((refusal as MinHealthyError).message).toMatch(/refusing to drain app\/s1 in HAProxy: only 0 other server\(s\) of backend app are up, at least 1 required \(other servers: s2 stopped\)/);
  expect(await readyz()).toBe(200);
  expect(zd.lifecycle.suspended).toBe(false);
  expect((await client.serversState('app')).find((r) => r.server === 's1')!.adminFlags).toEqual([]);

  // a drain (signal, API, crash) ends with the process exiting: deregister anyway, logged at warn
  const result = await zd.drain('SIGTERM');
  expect(result.exitCode).toBe(0);
  expect((await client.serversState('app')).find((r) => r.server === 's1')!.adminFlags).toContain('drain');
  const warn = log.lines.find((l) => l.level === 'warn' && /deregistering anyway/.test(l.msg));
  expect(warn?.msg).toMatch(/haproxy deregistering anyway although only 0 other target\(s\) are healthy in app \(min-healthy guard: at least 1\), because the process exits after this drain \(SIGTERM\) regardless/);
  expect(log.lines.some((l) => l.level === 'error' && /deregistration failed/.test(l.msg))).toBe(false);
});

test('with another server UP, suspend drains this one in HAProxy and fails readiness', async () => {
  zd.useLoadBalancer(haproxyAdapter({ socket: hx.socketPath, backend: 'app', server: 's1', pollIntervalMs: 50 }), { registerOnReady: false });
  await zd.suspend('deploy');
  expect(await readyz()).toBe(503);
  expect((await client.serversState('app')).find((r) => r.server === 's1')!.adminFlags).toContain('drain');
});

test('HAProxy restarting during a drain: the refused commands are retried with backoff and the drain succeeds within its deadline', async () => {
  // minHealthy 0: this test is about retries, not about how soon the restarted HAProxy sees s2 up
  const adapter = haproxyAdapter({ socket: hx.tcpAddress, backend: 'app', server: 's1', pollIntervalMs: 50, minHealthy: 0, retry: { baseMs: 50, capMs: 400, maxAttempts: 1000 } });
  const retries = (): Line[] => log.lines.filter((l) => l.level === 'warn' && /haproxy runtime API failed/.test(l.msg));
  let op: Promise<unknown> | undefined;
  const t0 = Date.now();
  await hx.restart(async () => {
    op = adapter.deregister({ signal: AbortSignal.timeout(20000), inflight: () => 0, logger: log.logger }).then(
      () => 'ok',
      (error: unknown) => error,
    );
    // the runtime API refuses while haproxy is down: wait until a retry was scheduled before starting it again
    await waitFor(() => retries().length >= 2, 10000, 'two retries while haproxy is down');
  });
  expect(await op).toBe('ok');
  expect(Date.now() - t0).toBeLessThan(20000);
  expect(retries()[0]!.msg).toMatch(/cannot reach the HAProxy runtime API at 127\.0\.0\.1:\d+: ECONNREFUSED .*; retrying in \d+ ms/);
  expect((await client.serversState('app')).find((r) => r.server === 's1')!.adminFlags).toContain('drain');
});

test('a missing runtime-API socket is retried until the deadline, then reported with the last error', async () => {
  const adapter = haproxyAdapter({ socket: `${hx.dir}/no-such.sock`, backend: 'app', server: 's1', retry: { baseMs: 20, capMs: 100, maxAttempts: 100 } });
  const t0 = Date.now();
  const e = await adapter.deregister({ signal: AbortSignal.timeout(600), inflight: () => 0, logger: silentLogger }).catch((error: unknown) => error);
  expect(Date.now() - t0).toBeLessThan(5000);
  expect((e as { code?: string }).code).toBe('ZERODOWN_LB_TIMEOUT');
  expect((e as Error).message).toMatch(/gave up after \d+ ms, the caller aborted .*last error: cannot reach the HAProxy runtime API at .*no-such\.sock: ENOENT \(no such socket/);
});

/**
 * End to end: a real HAProxy (polling /readyz) in front of two Express example apps, continuous keep-alive
 * load through HAProxy, and the `zerodown` CLI: drain one instance, wait until HAProxy marks it down,
 * SIGTERM it, restart it, `zerodown resume`, wait until HAProxy marks it up. The client must see zero
 * failed requests and zero non-2xx answers. Needs the Debian package `haproxy` and a build first.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Agent, request } from 'undici';
import { haproxyServers, type HaproxyServerStat } from './fixtures/haproxy-fixture';
import { freePort, killAndWait, runCli, startExpressApp, stopAll, track, waitFor, waitPort, which, type ExampleApp } from './fixtures/cli-helpers';

function haproxyBinary(): string {
  const bin = which('haproxy');
  if (!bin) throw new Error('haproxy binary not found on PATH or in /usr/sbin: this test runs a real HAProxy. Install the Debian package "haproxy" (apt-get install -y haproxy).');
  return bin;
}

/** `status` and `stot` (sessions served) of each server of backend `be`, from `show stat`. */
const servers = (socket: string): Promise<Record<string, HaproxyServerStat>> => haproxyServers(socket, 'be');

let dir: string;
afterAll(async () => {
  await stopAll();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

test('drain → HAProxy marks it down → SIGTERM → restart → resume, under load: zero failed and zero non-2xx', async () => {
  const bin = haproxyBinary();
  dir = mkdtempSync(join(tmpdir(), 'zd-haproxy-'));
  const [portA, portB, front] = [await freePort(), await freePort(), await freePort()];
  // drain delay >= HAProxy's inter x fall (200 ms x 2) with a margin: `drain --wait-idle` and SIGTERM both wait it.
  // `timeout check 2s` (not `inter`): on a busy machine a slow /readyz answer is not a failed check, so the
  // one server left while b is drained is never marked DOWN by mistake
  const appEnv = { ZERODOWN_DRAIN_DELAY_MS: '1000', ZERODOWN_DRAIN_TIMEOUT_MS: '10000' };
  const sockA = join(dir, 'a.sock');
  const sockB = join(dir, 'b.sock');
  await startExpressApp(portA, sockA, appEnv);
  let b: ExampleApp = await startExpressApp(portB, sockB, appEnv);

  const stats = join(dir, 'haproxy.sock');
  const cfg = join(dir, 'haproxy.cfg');
  writeFileSync(
    cfg,
    `global
  maxconn 2000
  stats socket ${stats} mode 600 level admin
defaults
  mode http
  timeout connect 2s
  timeout client 30s
  timeout server 30s
  timeout http-keep-alive 30s
  timeout check 2s
  option http-keep-alive
  retries 0
frontend fe
  bind 127.0.0.1:${front}
  default_backend be
backend be
  balance roundrobin
  option httpchk GET /readyz
  http-check expect status 200
  default-server inter 200 fall 2 rise 2
  server a 127.0.0.1:${portA} check
  server b 127.0.0.1:${portB} check
`,
  );
  let haproxyErr = '';
  const hp = track(bin, ['-f', cfg, '-db'], { stdio: ['ignore', 'ignore', 'pipe'] });
  hp.stderr!.setEncoding('utf8').on('data', (d: string) => (haproxyErr += d));
  await waitPort(front, 5000).catch((e: Error) => {
    throw new Error(`${e.message}; haproxy said:\n${haproxyErr}`);
  });
  await waitFor('HAProxy to mark both servers UP', async () => {
    const s = await servers(stats).catch(() => ({}) as Record<string, { status: string }>);
    return s.a?.status === 'UP' && s.b?.status === 'UP';
  });

  // continuous, bounded keep-alive load through HAProxy
  const agent = new Agent({ connections: 16, keepAliveTimeout: 10000, pipelining: 1 });
  let stop = false;
  let ok = 0;
  let non2xx = 0;
  const failures: string[] = [];
  const deadline = Date.now() + 90000;
  const worker = async (w: number): Promise<void> => {
    for (let i = 0; !stop && Date.now() < deadline && ok + non2xx + failures.length < 200000; i++) {
      try {
        const r = await request(`http://127.0.0.1:${front}${i % 5 === 0 ? '/work?ms=20' : '/'}`, { dispatcher: agent, headersTimeout: 10000, bodyTimeout: 10000 });
        await r.body.text();
        if (r.statusCode >= 200 && r.statusCode < 300) ok++;
        else non2xx++;
      } catch (error) {
        failures.push(`worker ${w}: ${(error as Error).message}`);
      }
    }
  };
  const load = Promise.all(Array.from({ length: 8 }, (_, w) => worker(w)));
  await waitFor('the load to flow', () => ok + non2xx + failures.length >= 100);

  try {
    // 1. drain b: readiness fails, the app keeps serving what HAProxy still sends
    const drained = await runCli(['drain', '--socket', sockB, '--wait-idle', '--timeout', '15s']);
    expect(drained.code).toBe(0);
    await waitFor('HAProxy to mark b DOWN', async () => (await servers(stats)).b?.status.startsWith('DOWN') === true);
    const before = (await servers(stats)).b!.total;

    // 2. SIGTERM b: it drains and exits 0; restart it on the same port and socket
    b.child.kill('SIGTERM');
    expect(await b.exited).toBe(0);
    await killAndWait(b.child);
    b = await startExpressApp(portB, sockB, appEnv);

    // 3. resume: readiness must come back, and HAProxy must route to b again
    const resumed = await runCli(['resume', '--socket', sockB, '--timeout', '15s', '--json']);
    expect(resumed.code).toBe(0);
    expect(JSON.parse(resumed.stdout)).toMatchObject({ ok: true, ready: true });
    expect((await request(`http://127.0.0.1:${portB}/readyz`)).statusCode).toBe(200);
    await waitFor('HAProxy to mark b UP', async () => (await servers(stats)).b?.status === 'UP');
    await waitFor('b to serve requests again', async () => (await servers(stats)).b!.total > before + 20);
    const served = ok + non2xx + failures.length;
    await waitFor('more load with both servers back', () => ok + non2xx + failures.length >= served + 200);
  } finally {
    stop = true;
    await load;
    await agent.close();
  }
  expect(failures).toEqual([]);
  expect(non2xx).toBe(0);
  expect(ok).toBeGreaterThan(500);
  process.stderr.write(`haproxy e2e: ${ok} requests OK, 0 failed, 0 non-2xx\n`);
}, 120000);

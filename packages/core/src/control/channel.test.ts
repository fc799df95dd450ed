import { spawn } from 'node:child_process';
import { createServer as createHttpServer, type Server } from 'node:http';
import { connect, createServer as createNetServer } from 'node:net';
import { existsSync, mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { request } from 'undici';
import { elbv2Adapter, silentLogger, zerodown, type Zerodown } from '../index';
import { startElbv2Fixture } from '../../../../test/fixtures/elbv2-fixture';
import { controlRequest } from './client';
import { ControlRequestError, ControlSocketInUseError } from './errors';
import { isControlSocketOff } from './paths';
import type { ControlDrainResponse, ControlStatus } from './types';
import { waitFor } from '../../../../test/helpers/wait';

function raw(path: string, data: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const s = connect({ path });
    let out = '';
    s.on('data', (c) => (out += c.toString()));
    s.on('end', () => resolve(out));
    s.on('error', reject);
    s.end(data);
  });
}

describe('control channel', () => {
  let dir: string;
  const cleanup: Array<() => unknown> = [];
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'zd-ctl-'));
  });
  afterEach(async () => {
    for (const fn of cleanup.splice(0).reverse()) await fn();
    rmSync(dir, { recursive: true, force: true });
  });

  async function app(socket: string): Promise<{ zd: Zerodown; server: Server; url: string }> {
    const zd = zerodown({ logger: silentLogger, env: {}, control: { socket }, drain: { exit: false, signals: false, delayMs: 0, timeoutMs: 2000 }, health: { eventLoopStallMs: 0 } });
    const server = createHttpServer(zd.requestListener((req, res) => {
      const ms = Number(new URL(req.url ?? '/', 'http://x').searchParams.get('ms') ?? 0);
      setTimeout(() => res.end('ok'), ms);
    }));
    zd.attach(server);
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    cleanup.push(() => new Promise((r) => server.close(r)), () => server.closeAllConnections(), () => zd.dispose());
    zd.ready();
    await zd.control!.listening;
    const addr = server.address() as { port: number };
    return { zd, server, url: `http://127.0.0.1:${addr.port}` };
  }

  test('socket is owner-only (0600); status, drain, resume and wait-idle change what /readyz answers', async () => {
    const socket = join(dir, 'a.sock');
    const { url, zd } = await app(socket);
    expect(statSync(socket).mode & 0o777).toBe(0o600);
    expect((await request(`${url}/readyz`)).statusCode).toBe(200);

    const st = await controlRequest<ControlStatus>(socket, { path: '/status' });
    expect(st).toMatchObject({ pid: process.pid, state: 'ready', suspended: false, ready: true, live: true, inflight: 0, socket });

    const slow = request(`${url}/work?ms=1500`);
    await waitFor(() => zd.inflight === 1, 10000, 'the request to be in flight');
    const d = await controlRequest<ControlDrainResponse>(socket, { method: 'POST', path: '/drain', body: { waitIdle: true, reason: 'patch' } });
    expect(d).toMatchObject({ ok: true, idle: true, deregistered: false, status: { suspended: true, ready: false, state: 'ready', suspendedReason: 'patch' } });
    expect(d.elapsedMs).toBeGreaterThanOrEqual(150);
    expect((await (await slow).body.text())).toBe('ok');
    expect((await request(`${url}/readyz`)).statusCode).toBe(503);
    expect((await request(`${url}/`)).statusCode).toBe(200); // still serving while suspended

    await controlRequest(socket, { method: 'POST', path: '/resume' });
    expect((await request(`${url}/readyz`)).statusCode).toBe(200);
    await expect(controlRequest(socket, { method: 'POST', path: '/wait-idle?timeoutMs=1000' })).resolves.toMatchObject({ ok: true, inflight: 0 });
  });

  test('malformed, oversized and wrong-method requests get JSON errors and the app keeps serving', async () => {
    const socket = join(dir, 'b.sock');
    const { url } = await app(socket);
    expect(await raw(socket, 'this is not http\r\n\r\n')).toMatch(/^HTTP\/1\.1 400 [\s\S]*ZERODOWN_CONTROL_BAD_REQUEST/);
    await expect(controlRequest(socket, { method: 'POST', path: '/drain', body: { timeoutMs: 'soon' } })).rejects.toMatchObject({ statusCode: 400, message: expect.stringContaining('timeoutMs') });
    expect(await raw(socket, 'POST /drain HTTP/1.1\r\nhost: x\r\ncontent-type: application/json\r\ncontent-length: 5\r\nconnection: close\r\n\r\n{oops')).toMatch(/^HTTP\/1\.1 400 [\s\S]*not valid JSON/);
    await expect(controlRequest(socket, { method: 'POST', path: '/drain', body: { pad: 'x'.repeat(20000) } })).rejects.toMatchObject({ statusCode: 413 });
    expect(await raw(socket, `GET /status HTTP/1.1\r\nhost: x\r\nx-big: ${'y'.repeat(20000)}\r\n\r\n`)).toMatch(/^HTTP\/1\.1 413 /);
    await expect(controlRequest(socket, { method: 'GET', path: '/drain' })).rejects.toMatchObject({ statusCode: 405 });
    await expect(controlRequest(socket, { path: '/nope' })).rejects.toMatchObject({ statusCode: 404 });
    expect((await request(`${url}/readyz`)).statusCode).toBe(200);
    await expect(controlRequest<ControlStatus>(socket, { path: '/status' })).resolves.toMatchObject({ suspended: false });
  });

  test('a stale socket file is replaced; a live one is never stolen; a regular file is left alone', async () => {
    const stale = join(dir, 'stale.sock');
    // a real crash: a process listening on the path is SIGKILLed, leaving the file behind
    const child = spawn(process.execPath, ['-e', `require('net').createServer().listen(${JSON.stringify(stale)}, () => console.log('up'))`], { stdio: ['ignore', 'pipe', 'inherit'] });
    cleanup.push(() => child.kill('SIGKILL'));
    await new Promise((r) => child.stdout!.once('data', r));
    child.kill('SIGKILL');
    await new Promise((r) => child.once('exit', r));
    expect(existsSync(stale)).toBe(true);
    await app(stale);
    await expect(controlRequest(stale, { path: '/status' })).resolves.toMatchObject({ pid: process.pid });

    const live = join(dir, 'live.sock');
    const other = createNetServer((s) => s.end());
    await new Promise<void>((r) => other.listen(live, r));
    cleanup.push(() => new Promise((r) => other.close(r)));
    const zd = zerodown({ logger: silentLogger, env: {}, control: { socket: live }, drain: { exit: false, signals: false }, health: { eventLoopStallMs: 0 } });
    cleanup.push(() => zd.dispose());
    await expect(zd.control!.listening).rejects.toBeInstanceOf(ControlSocketInUseError);
    expect(existsSync(live)).toBe(true);

    const file = join(dir, 'file.sock');
    writeFileSync(file, 'keep me');
    const zd2 = zerodown({ logger: silentLogger, env: {}, control: { socket: file }, drain: { exit: false, signals: false }, health: { eventLoopStallMs: 0 } });
    cleanup.push(() => zd2.dispose());
    await expect(zd2.control!.listening).rejects.toThrow(/not a socket/);
  });

  test('dispose and drain end close the channel and remove the socket file', async () => {
    const a = join(dir, 'c.sock');
    const { zd } = await app(a);
    zd.dispose();
    expect(existsSync(a)).toBe(false);
    await expect(controlRequest(a, { path: '/status' })).rejects.toMatchObject({ reason: 'ENOENT', message: expect.stringContaining(a) });

    const b = join(dir, 'd.sock');
    const { zd: zd2 } = await app(b);
    await zd2.drain('test');
    expect(existsSync(b)).toBe(false);
  });

  test('env ZERODOWN_CONTROL_SOCKET sets the path; "off" turns it off; default lives in the runtime dir', async () => {
    const p = join(dir, 'env.sock');
    const zd = zerodown({ logger: silentLogger, env: { ZERODOWN_CONTROL_SOCKET: p }, drain: { exit: false, signals: false }, health: { eventLoopStallMs: 0 } });
    cleanup.push(() => zd.dispose());
    await zd.control!.listening;
    expect(zd.control!.path).toBe(p);
    const off = zerodown({ logger: silentLogger, env: { ZERODOWN_CONTROL_SOCKET: 'off' }, drain: { exit: false, signals: false }, health: { eventLoopStallMs: 0 } });
    cleanup.push(() => off.dispose());
    expect(off.control).toBeUndefined();
    const def = zerodown({ logger: silentLogger, serviceName: 'svc', env: { XDG_RUNTIME_DIR: dir }, drain: { exit: false, signals: false }, health: { eventLoopStallMs: 0 } });
    const def2 = zerodown({ logger: silentLogger, serviceName: 'svc', env: { XDG_RUNTIME_DIR: dir }, drain: { exit: false, signals: false }, health: { eventLoopStallMs: 0 } });
    cleanup.push(() => def.dispose(), () => def2.dispose());
    await Promise.all([def.control!.listening, def2.control!.listening]);
    expect(def.control!.path).toBe(join(dir, 'zerodown', `svc-${process.pid}.sock`));
    expect(def2.control!.path).toBe(join(dir, 'zerodown', `svc-${process.pid}-2.sock`));
    expect(statSync(join(dir, 'zerodown')).mode & 0o777).toBe(0o700);
    expect(() => zerodown({ logger: silentLogger, env: {}, control: { socket: '/x/' + 'y'.repeat(200) } })).toThrow(/control\.socket/);
  });

  test('an app on the default path prunes sockets left by killed processes in its directory', async () => {
    const rt = join(dir, 'zerodown');
    const child = spawn(process.execPath, ['-e', `require('fs').mkdirSync(${JSON.stringify(rt)}, { recursive: true, mode: 0o700 }); require('net').createServer().listen(require('path').join(${JSON.stringify(rt)}, 'old-' + process.pid + '.sock'), () => console.log('up'))`], { stdio: ['ignore', 'pipe', 'inherit'] });
    cleanup.push(() => child.kill('SIGKILL'));
    await new Promise((r) => child.stdout!.once('data', r));
    const left = join(rt, `old-${child.pid}.sock`);
    child.kill('SIGKILL');
    await new Promise((r) => child.once('exit', r));
    expect(existsSync(left)).toBe(true);
    const zd = zerodown({ logger: silentLogger, serviceName: 'new', env: { XDG_RUNTIME_DIR: dir }, drain: { exit: false, signals: false }, health: { eventLoopStallMs: 0 } });
    cleanup.push(() => zd.dispose());
    await zd.control!.listening;
    await waitFor(() => !existsSync(left), 5000, 'the stale socket to be pruned');
    expect(existsSync(left)).toBe(false);
    expect(existsSync(zd.control!.path)).toBe(true);
  });

  test('ControlRequestError explains a missing socket', async () => {
    const p = join(dir, 'missing.sock');
    const e = await controlRequest(p, { path: '/status' }).catch((x: unknown) => x);
    expect(e).toBeInstanceOf(ControlRequestError);
    expect((e as Error).message).toContain(p);
    expect((e as Error).message).toContain('ZERODOWN_CONTROL_SOCKET');
  });
  test('the timeoutMs of /drain and /resume bounds the load-balancer wait: it stops when the request times out', async () => {
    const fx = await startElbv2Fixture({ healthyAfterMs: 100, deregistrationDelayMs: 20000 });
    cleanup.push(() => fx.close());
    const self = 'i-0aaaaaaaaaaaaaaa1';
    const arn = fx.addTargetGroup({ name: 'web', port: 8080, targets: [{ id: self }, { id: 'i-0bbbbbbbbbbbbbbb2' }] });
    const socket = join(dir, 'lb.sock');
    // the app's own drain deadline is long (20 s): only the request's timeoutMs can end the waits early
    const zd = zerodown({ logger: silentLogger, env: {}, control: { socket }, drain: { exit: false, signals: false, delayMs: 0, timeoutMs: 20000 }, health: { eventLoopStallMs: 0 } });
    const server = createHttpServer(zd.requestListener((req, res) => setTimeout(() => res.end('ok'), Number(new URL(req.url ?? '/', 'http://x').searchParams.get('ms') ?? 0))));
    zd.attach(server);
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    cleanup.push(() => new Promise((r) => server.close(r)), () => server.closeAllConnections(), () => zd.dispose());
    const adapter = elbv2Adapter({ targetGroupArns: [arn], target: { id: self }, region: 'us-east-1', endpoint: fx.url, credentials: { accessKeyId: 'AKIAZDTESTFIXTURE000', secretAccessKey: 'zd-test-secret-not-real' }, pollIntervalMs: 50, retry: { baseMs: 20, capMs: 200 } });
    cleanup.push(async () => (await adapter.targetGroups()).close());
    zd.ready();
    zd.useLoadBalancer(adapter);
    await zd.control!.listening;
    const polls = (): number => fx.callsOf('DescribeTargetHealth').length;
    // the waits poll every 50 ms: the caller proves they ran (polls went up), then no poll for 1 s shows they stopped
    const quiet = async (): Promise<void> => {
      await new Promise((r) => setTimeout(r, 300)); // sleep-ok: a poll already sent may still land
      const before = polls();
      await new Promise((r) => setTimeout(r, 1000)); // sleep-ok: the window in which a running 50 ms poll loop would poll ~20 times
      expect(polls()).toBe(before); // no poll for 1 s (every 50 ms while waiting): the wait was stopped
    };

    // drain: a request in flight keeps the draining target busy, so the deregistration wait cannot end
    const { port } = server.address() as { port: number };
    const busy = request(`http://127.0.0.1:${port}/work?ms=4000`);
    await waitFor(() => zd.inflight === 1, 10000, 'the request to be in flight');
    const t0 = performance.now();
    const polled = polls();
    await expect(controlRequest(socket, { method: 'POST', path: '/drain', body: { timeoutMs: 500 } })).rejects.toMatchObject({ statusCode: 504 });
    expect(performance.now() - t0).toBeLessThan(10000); // generous for a busy machine; the deregistration ends 20 s away
    expect(fx.stateOf(arn, self)).toBe('draining');
    expect(polls()).toBeGreaterThan(polled); // the wait was polling
    await quiet();

    // resume: AWS ignores RegisterTargets for a draining target, so registration waits for unused (20 s away)
    const polledBeforeResume = polls();
    await expect(controlRequest(socket, { method: 'POST', path: '/resume', body: { timeoutMs: 500 } })).rejects.toMatchObject({ statusCode: 504 });
    expect(polls()).toBeGreaterThan(polledBeforeResume); // the wait was polling
    await quiet();
    expect((await busy).statusCode).toBe(200);
  });

  test('isControlSocketOff: off, false, 0, none, disabled in any case', () => {
    for (const v of ['off', 'OFF', 'false', '0', 'none', 'Disabled', ' off ']) expect(isControlSocketOff(v)).toBe(true);
    for (const v of [undefined, '', '/run/app.sock', 'offline']) expect(isControlSocketOff(v)).toBe(false);
  });
});
